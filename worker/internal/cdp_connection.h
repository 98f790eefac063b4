#ifndef CENSUS_WORKER_INTERNAL_CDP_CONNECTION_H_
#define CENSUS_WORKER_INTERNAL_CDP_CONNECTION_H_

// A Chromium browser and its DevTools-protocol connection over the pipe: numbered
// commands out (built with RapidJSON), replies and events in. Not thread-safe.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "worker/internal/chromium_process.h"

namespace census {
namespace internal {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;
// Writes the members of a command's params object (may be empty: no params).
using JsonParams = std::function<void(JsonWriter&)>;
using CdpHandler = std::function<void(const rapidjson::Document&)>;

// Members of a JSON object, "" / nullptr / -1 when absent or of another type.
absl::string_view JsonStr(const rapidjson::Value& v, const char* name);
const rapidjson::Value* JsonObj(const rapidjson::Value& v, const char* name);
int JsonInt(const rapidjson::Value& v, const char* name);
void JsonKeyString(JsonWriter& w, const char* key, absl::string_view value);

class CdpConnection {
 public:
  // Spawns `path` with `flags` and waits (until `deadline`) for Browser.getVersion
  // to answer. Unavailable, with the end of Chromium's stderr, when it does not.
  static absl::StatusOr<std::unique_ptr<CdpConnection>> Start(const std::string& path,
                                                              const std::vector<std::string>& flags,
                                                              absl::Time deadline);

  ~CdpConnection();  // Close(2 s)

  // Browser.close, then SIGKILL to the process group after `grace`; reaps it.
  void Close(absl::Duration grace);

  // Sends a command ("" session: a browser-level command); its id.
  absl::StatusOr<int> Send(const char* method, absl::string_view session, const JsonParams& params,
                           absl::Time deadline);
  // The next message; nullopt when none came before `deadline`; Unavailable when
  // the browser is gone.
  absl::StatusOr<std::optional<rapidjson::Document>> Next(absl::Time deadline);
  // Sends a command and waits for its reply; other messages go to `on_message`.
  // The reply's "result"; a protocol error as InternalError; DeadlineExceeded.
  absl::StatusOr<rapidjson::Document> Call(const char* method, absl::string_view session,
                                           const JsonParams& params, absl::Time deadline,
                                           const CdpHandler& on_message);

  ChromiumProcess& process() { return *process_; }

 private:
  CdpConnection() = default;
  std::unique_ptr<ChromiumProcess> process_;
  int next_id_ = 0;
};

}  // namespace internal
}  // namespace census

#endif  // CENSUS_WORKER_INTERNAL_CDP_CONNECTION_H_
