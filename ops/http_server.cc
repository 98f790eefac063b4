#include "ops/http_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <new>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace census {

namespace {

constexpr char kMetricsContentType[] = "text/plain; version=0.0.4; charset=utf-8";
constexpr unsigned int kIdleTimeoutSeconds = 10;

// libmicrohttpd reports why it failed only through its logger. While Start() runs on a
// thread, that thread's messages are collected here so the Status can say why; any
// other message (the server's own thread, later) goes to stderr.
thread_local std::string* start_log = nullptr;

void LogMessage(void* /*cls*/, const char* format, va_list args) {
  char buf[512];
  std::vsnprintf(buf, sizeof(buf), format, args);
  std::string line(buf);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (start_log != nullptr) {
    if (!start_log->empty()) *start_log += "; ";
    *start_log += line;
  } else {
    std::fprintf(stderr, "ops http server: %s\n", line.c_str());
  }
}

// One request's state, from its request line (MHD_OPTION_URI_LOG_CALLBACK: the target
// exactly as sent, before libmicrohttpd unescapes it and drops its query) to its end
// (MHD_OPTION_NOTIFY_COMPLETED frees it).
struct RequestState {
  std::string raw_target;
  bool headers_seen = false;
};

HttpResponse Text(unsigned int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace

struct OpsHttpServerCallbacks {
  static void* UriLog(void* /*cls*/, const char* uri, MHD_Connection* /*connection*/) {
    auto* state = new (std::nothrow) RequestState;
    if (state != nullptr && uri != nullptr) {
      try {
        state->raw_target = uri;
      } catch (...) {
      }
    }
    return state;
  }

  static void Completed(void* /*cls*/, MHD_Connection* /*connection*/, void** con_cls,
                        MHD_RequestTerminationCode /*code*/) {
    delete static_cast<RequestState*>(*con_cls);
    *con_cls = nullptr;
  }

  static MHD_Result Access(void* cls, MHD_Connection* connection, const char* url,
                           const char* method, const char* /*version*/, const char* /*upload_data*/,
                           size_t* upload_data_size, void** con_cls) {
    // The first call for a request carries only its headers. Answering on a later
    // call lets a request body (no endpoint takes one) be read and dropped, so the
    // connection survives for keep-alive instead of being cut.
    auto* state = static_cast<RequestState*>(*con_cls);
    if (state == nullptr) return MHD_NO;  // out of memory in UriLog
    if (!state->headers_seen) {
      state->headers_seen = true;
      return MHD_YES;
    }
    if (*upload_data_size != 0) {
      *upload_data_size = 0;
      return MHD_YES;
    }
    HttpResponse reply;
    // Nothing may unwind through libmicrohttpd's C frames; a throwing ready() or
    // handler, or an allocation failure, becomes a 500.
    try {
      reply = static_cast<const OpsHttpServer*>(cls)->Handle(method, url, state->raw_target);
    } catch (...) {
      reply = Text(MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error\n");
    }
    MHD_Response* response = MHD_create_response_from_buffer(reply.body.size(), reply.body.data(),
                                                             MHD_RESPMEM_MUST_COPY);
    if (response == nullptr) return MHD_NO;
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, reply.content_type.c_str());
    for (const auto& [name, value] : reply.headers) {
      MHD_add_response_header(response, name.c_str(), value.c_str());
    }
    if (reply.status == MHD_HTTP_METHOD_NOT_ALLOWED) {
      MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    }
    const MHD_Result queued = MHD_queue_response(connection, reply.status, response);
    MHD_destroy_response(response);  // the queued response holds its own reference
    return queued;
  }
};

HttpResponse OpsHttpServer::Handle(absl::string_view method, absl::string_view url,
                                   absl::string_view raw_target) const {
  const bool ops_path = url == "/metrics" || url == "/healthz" || url == "/readyz";
  if (!ops_path && !handler_) return Text(MHD_HTTP_NOT_FOUND, "not found\n");
  // HEAD is answered like GET; libmicrohttpd leaves the body out.
  if (method != MHD_HTTP_METHOD_GET && method != MHD_HTTP_METHOD_HEAD) {
    return Text(MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
  }
  if (!ops_path) {
    HttpRequest request;
    request.method = std::string(method);
    const size_t q = raw_target.find('?');
    request.path = std::string(raw_target.substr(0, q));
    if (q != absl::string_view::npos) request.query = std::string(raw_target.substr(q + 1));
    return handler_(request);
  }
  if (url == "/metrics") {
    HttpResponse r = Text(MHD_HTTP_OK, registry_->Render());
    r.content_type = kMetricsContentType;
    return r;
  }
  if (url == "/healthz") return Text(MHD_HTTP_OK, "ok\n");
  if (!ready_ || ready_()) return Text(MHD_HTTP_OK, "ready\n");
  return Text(MHD_HTTP_SERVICE_UNAVAILABLE, "not ready\n");
}

absl::StatusOr<std::unique_ptr<OpsHttpServer>> OpsHttpServer::Start(const std::string& listen,
                                                                    const MetricsRegistry* registry,
                                                                    std::function<bool()> ready,
                                                                    OpsHttpServerOptions options) {
  if (registry == nullptr) return absl::InvalidArgumentError("OpsHttpServer: null registry");
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("ops listen address \"", listen, "\" is not HOST:PORT"));
  }
  std::string host = listen.substr(0, colon);
  const std::string port_text = listen.substr(colon + 1);
  int port = -1;
  if (!absl::SimpleAtoi(port_text, &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("ops listen address \"", listen, "\": bad port \"", port_text, "\""));
  }
  if (host == "localhost") host = "127.0.0.1";
  sockaddr_in addr;
  std::memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("ops listen address \"", listen,
                     "\": host must be an IPv4 address (0.0.0.0 for every interface) or "
                     "localhost"));
  }

  std::unique_ptr<OpsHttpServer> server(
      new OpsHttpServer(registry, std::move(ready), std::move(options.handler)));
  std::string log;
  start_log = &log;
  // MHD_USE_AUTO picks epoll on Linux (see the header for why not select).
  server->daemon_ = MHD_start_daemon(
      MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG, static_cast<uint16_t>(port),
      /*apc=*/nullptr, /*apc_cls=*/nullptr, &OpsHttpServerCallbacks::Access, server.get(),
      MHD_OPTION_EXTERNAL_LOGGER, &LogMessage, nullptr,  //
      MHD_OPTION_SOCK_ADDR, reinterpret_cast<sockaddr*>(&addr), MHD_OPTION_CONNECTION_LIMIT,
      std::max(1u, options.connection_limit),              //
      MHD_OPTION_CONNECTION_TIMEOUT, kIdleTimeoutSeconds,  //
      MHD_OPTION_URI_LOG_CALLBACK, &OpsHttpServerCallbacks::UriLog, nullptr,
      MHD_OPTION_NOTIFY_COMPLETED, &OpsHttpServerCallbacks::Completed, nullptr,
      MHD_OPTION_THREAD_POOL_SIZE, std::max(1u, options.threads), MHD_OPTION_END);
  start_log = nullptr;
  if (server->daemon_ == nullptr) {
    return absl::UnavailableError(absl::StrCat("ops http server cannot listen on ", listen, ": ",
                                               log.empty() ? "libmicrohttpd refused" : log));
  }
  const MHD_DaemonInfo* info = MHD_get_daemon_info(server->daemon_, MHD_DAEMON_INFO_BIND_PORT);
  if (info == nullptr || info->port == 0) {
    return absl::InternalError(
        absl::StrCat("ops http server on ", listen, ": cannot read the bound port"));
  }
  server->port_ = info->port;
  return server;
}

OpsHttpServer::~OpsHttpServer() {
  if (daemon_ != nullptr) MHD_stop_daemon(daemon_);
}

}  // namespace census
