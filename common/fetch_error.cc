#include "common/fetch_error.h"

namespace census {

std::string FetchErrorName(FetchError e) {
  switch (e) {
    case FETCH_OK:
      return "";
    case HTTP_404:
      return "http_404";
    case HTTP_4XX:
      return "http_4xx";
    case HTTP_5XX:
      return "http_5xx";
    case TIMEOUT:
      return "timeout";
    case DNS:
      return "dns";
    case CONNECT:
      return "connect";
    case TLS:
      return "tls";
    case SOFT_404:
      return "soft_404";
    case REDIRECT_LOOP:
      return "redirect_loop";
    case TOO_LARGE:
      return "too_large";
    case BLOCKED_ADDRESS:
      return "blocked_address";
    case OTHER_ERROR:
      return "other";
    default:
      return "other";
  }
}

}  // namespace census
