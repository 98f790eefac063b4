#include "worker/internal/cdp_connection.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"

namespace census {
namespace internal {

absl::string_view JsonStr(const rapidjson::Value& v, const char* name) {
  if (!v.IsObject()) return "";
  auto it = v.FindMember(name);
  if (it == v.MemberEnd() || !it->value.IsString()) return "";
  return absl::string_view(it->value.GetString(), it->value.GetStringLength());
}

const rapidjson::Value* JsonObj(const rapidjson::Value& v, const char* name) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(name);
  return (it != v.MemberEnd() && it->value.IsObject()) ? &it->value : nullptr;
}

int JsonInt(const rapidjson::Value& v, const char* name) {
  if (!v.IsObject()) return -1;
  auto it = v.FindMember(name);
  return (it != v.MemberEnd() && it->value.IsInt()) ? it->value.GetInt() : -1;
}

void JsonKeyString(JsonWriter& w, const char* key, absl::string_view value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

absl::StatusOr<std::unique_ptr<CdpConnection>> CdpConnection::Start(
    const std::string& path, const std::vector<std::string>& flags, absl::Time deadline) {
  std::unique_ptr<CdpConnection> c(new CdpConnection());
  ASSIGN_OR_RETURN(c->process_, ChromiumProcess::Spawn(path, flags));
  auto version = c->Call("Browser.getVersion", "", nullptr, deadline, nullptr);
  if (!version.ok()) {
    std::string tail = c->process_->StderrTail();
    c->process_->Kill();
    return absl::UnavailableError(
        absl::StrCat("chromium did not start (", version.status().message(), "): ", tail));
  }
  return c;
}

CdpConnection::~CdpConnection() { Close(absl::Seconds(2)); }

void CdpConnection::Close(absl::Duration grace) {
  if (process_ == nullptr) return;
  if (process_->Alive()) {
    (void)Send("Browser.close", "", nullptr, absl::Now() + absl::Milliseconds(200));
    process_->Close(grace);
  } else {
    process_->Kill();
  }
  process_.reset();
}

absl::StatusOr<int> CdpConnection::Send(const char* method, absl::string_view session,
                                        const JsonParams& params, absl::Time deadline) {
  if (process_ == nullptr) return absl::UnavailableError("chromium: closed");
  const int id = ++next_id_;
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("id");
  w.Int(id);
  w.Key("method");
  w.String(method);
  if (!session.empty()) JsonKeyString(w, "sessionId", session);
  w.Key("params");
  w.StartObject();
  if (params) params(w);
  w.EndObject();
  w.EndObject();
  RETURN_IF_ERROR(process_->Send(std::string(sb.GetString(), sb.GetSize()), deadline));
  return id;
}

absl::StatusOr<std::optional<rapidjson::Document>> CdpConnection::Next(absl::Time deadline) {
  if (process_ == nullptr) return absl::UnavailableError("chromium: closed");
  ASSIGN_OR_RETURN(std::optional<std::string> raw, process_->Receive(deadline));
  if (!raw.has_value()) return std::optional<rapidjson::Document>();
  std::optional<rapidjson::Document> doc(std::in_place);
  doc->Parse(raw->data(), raw->size());
  if (doc->HasParseError() || !doc->IsObject()) {
    return absl::InternalError("chromium: unparsable DevTools message");
  }
  return doc;
}

absl::StatusOr<rapidjson::Document> CdpConnection::Call(const char* method,
                                                        absl::string_view session,
                                                        const JsonParams& params,
                                                        absl::Time deadline,
                                                        const CdpHandler& on_message) {
  ASSIGN_OR_RETURN(int id, Send(method, session, params, deadline));
  while (true) {
    ASSIGN_OR_RETURN(std::optional<rapidjson::Document> m, Next(deadline));
    if (!m.has_value()) {
      return absl::DeadlineExceededError(absl::StrCat("chromium: no answer to ", method));
    }
    if (JsonInt(*m, "id") != id) {
      if (on_message) on_message(*m);
      continue;
    }
    if (const rapidjson::Value* err = JsonObj(*m, "error")) {
      return absl::InternalError(absl::StrCat(method, ": ", JsonStr(*err, "message")));
    }
    rapidjson::Document result;
    if (const rapidjson::Value* r = JsonObj(*m, "result")) {
      result.CopyFrom(*r, result.GetAllocator());
    } else {
      result.SetObject();
    }
    return result;
  }
}

}  // namespace internal
}  // namespace census
