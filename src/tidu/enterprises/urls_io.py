from django.urls import path

from tidu.enterprises import views_io

app_name = "io"

urlpatterns = [
    path("import/", views_io.import_page, name="import"),
    path("import/template.xlsx", views_io.import_template, name="template"),
    path("export.xlsx", views_io.export_xlsx, name="export_xlsx"),
    path("export.csv", views_io.export_csv, name="export_csv"),
]
