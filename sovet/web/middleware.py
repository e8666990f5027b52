"""Request checks that apply to every page and form."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

NUL = "\x00"
NUL_REFUSED = "The request contains a NUL character, which no field accepts: remove it."


class RefuseNulCharacters:
    """Answer 400 to parameters holding a NUL character, which PostgreSQL cannot store."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for parameters in (request.GET, request.POST):
            for key, values in parameters.lists():
                if NUL in key or any(NUL in value for value in values):
                    return _refusal(request)
        return self.get_response(request)


def _refusal(request: HttpRequest) -> HttpResponse:
    # API clients read every refusal as JSON {code, reason} (sovet/api/API.md).
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "invalid_input", "reason": NUL_REFUSED}, status=400)
    return HttpResponseBadRequest(NUL_REFUSED, content_type="text/plain")
