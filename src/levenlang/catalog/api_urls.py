"""/api/v1/oeapi/: our catalogue in the shapes of the Open Education API v6 (read-only)."""

from django.urls import path

from levenlang.catalog import api

urlpatterns = [
    path("courses", api.CourseList.as_view(), name="oeapi-courses"),
    path("courses/<uuid:uuid>", api.CourseDetail.as_view(), name="oeapi-course"),
    path("courses/<uuid:uuid>/course-offerings", api.CourseOfferings.as_view(), name="oeapi-course-offerings"),
    path("programmes", api.ProgrammeList.as_view(), name="oeapi-programmes"),
    path("programmes/<uuid:uuid>", api.ProgrammeDetail.as_view(), name="oeapi-programme"),
    path(
        "programmes/<uuid:uuid>/programme-offerings",
        api.ProgrammeOfferings.as_view(),
        name="oeapi-programme-offerings",
    ),
]
