#ifndef CENSUS_CMD_FLAGS_H_
#define CENSUS_CMD_FLAGS_H_

// A subcommand's flags, declared once: parsing (--flag VALUE, --switch), the usage
// text's one source, and errors that name the flag and what it wants. Written here
// because Abseil's flags library is process-global (one set of flags per binary),
// while each census subcommand has its own.

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace census {

class FlagSet {
 public:
  void String(const std::string& name, std::string* out);
  // A comma-separated list (tcp://a:1,tcp://b:2); repeating the flag appends.
  void List(const std::string& name, std::vector<std::string>* out);
  void Int(const std::string& name, int min, int* out);
  void Duration(const std::string& name, absl::Duration* out);
  void Bool(const std::string& name, bool* out);  // a switch: present = true
  // Arguments that are not flags (file names) go to `out`; without this they are errors.
  void Operands(std::vector<std::string>* out) { operands_ = out; }

  // Parses `args`; InvalidArgument naming the flag. "--help" sets *help.
  absl::Status Parse(const std::vector<std::string>& args, bool* help) const;

 private:
  struct Flag {
    std::string name;
    bool takes_value = true;
    std::function<absl::Status(const std::string& value)> set;
  };
  std::vector<Flag> flags_;
  std::vector<std::string>* operands_ = nullptr;
};

}  // namespace census

#endif  // CENSUS_CMD_FLAGS_H_
