from django.contrib.sitemaps.views import sitemap
from django.urls import path

from tidu.news import feeds, views
from tidu.news.sitemaps import sitemaps

app_name = "news"

urlpatterns = [
    path("news/", views.article_list, name="list"),
    path("news/<int:pk>/", views.article_detail, name="detail"),
    path("news/feed/rss/", feeds.LatestArticlesRss(), name="rss"),
    path("news/feed/atom/", feeds.LatestArticlesAtom(), name="atom"),
    path("news/media/<path:name>", views.media, name="media"),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps()}, name="sitemap"),
]
