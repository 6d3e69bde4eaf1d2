from django.urls import path

from tidu.regions import views

app_name = "regions"

urlpatterns = [
    path("options/regions/", views.region_options, name="region_options"),
    path("options/industries/", views.industry_options, name="industry_options"),
    path("options/areas/", views.area_options, name="area_options"),
]
