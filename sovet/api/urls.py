"""The API's URLs under /api/: a path no operation answers, or a method it does not take, is
refused in JSON like everything else."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, re_path
from django.views.decorators.csrf import csrf_exempt

from sovet.api.api import api


def _refusal(status: int, code: str, reason: str) -> JsonResponse:
    return JsonResponse({"code": code, "reason": reason}, status=status)


@csrf_exempt  # it changes nothing, and its answer should not depend on a cookie
def no_operation(request: HttpRequest) -> JsonResponse:
    return _refusal(404, "not_found", f"no API operation answers {request.path}; see /api/docs")


def _methods_in_json(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer a method the path does not take in JSON (Ninja answers in plain text)."""

    # wraps() keeps the view's csrf_exempt: Ninja checks CSRF itself, for sessions only.
    @wraps(view)
    def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code != 405:
            return response
        allowed = response["Allow"]
        refusal = _refusal(405, "method_not_allowed", f"{request.method} is not one of: {allowed}")
        refusal["Allow"] = allowed
        return refusal

    return answer


def _patterns() -> list[Any]:
    patterns = api.urls[0]
    for pattern in patterns:
        if not isinstance(pattern, URLPattern):
            continue
        if pattern.name == "api-root":
            # Ninja names /api/ only to build paths, and answers it with an HTML 404.
            pattern.callback = no_operation
        else:
            pattern.callback = _methods_in_json(pattern.callback)
    # Django tries the patterns in order, keeping a list for each one passed over: the ballot,
    # which a whole congress posts at once, first (no other pattern matches its paths).
    return sorted(patterns, key=lambda pattern: getattr(pattern, "name", None) != "cast_ballot")


app_name = "api"
urlpatterns = [*_patterns(), re_path(r"", no_operation)]
