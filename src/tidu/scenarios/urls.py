from django.urls import path

from tidu.scenarios import views

app_name = "scenarios"

urlpatterns = [
    path("scenarios/", views.scenario_list, name="list"),
    path("scenarios/new/", views.scenario_edit, name="new"),
    path("scenarios/import/", views.library_import_view, name="import"),
    path("scenarios/import/template.xlsx", views.import_template, name="import_template"),
    path("scenarios/recommend/", views.recommend, name="recommend"),
    path("scenarios/paths/", views.paths, name="paths"),
    path("scenarios/paths/mine/", views.my_path, name="my_path"),
    path("scenarios/paths/new/", views.path_edit, name="path_new"),
    path("scenarios/paths/<str:code>/edit/", views.path_edit, name="path_edit"),
    path("scenarios/paths/<str:code>/", views.path_detail, name="path"),
    path("scenarios/<str:code>/", views.scenario_detail, name="detail"),
    path("scenarios/<str:code>/edit/", views.scenario_edit, name="edit"),
]
