#include "cmd/flags.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace census {

void FlagSet::String(const std::string& name, std::string* out) {
  flags_.push_back({name, true, [out](const std::string& v) {
                      *out = v;
                      return absl::OkStatus();
                    }});
}

void FlagSet::List(const std::string& name, std::vector<std::string>* out) {
  flags_.push_back({name, true, [out, name](const std::string& v) {
                      for (absl::string_view part : absl::StrSplit(v, ',', absl::SkipEmpty())) {
                        out->emplace_back(part);
                      }
                      if (out->empty()) return absl::InvalidArgumentError(name + " wants a list");
                      return absl::OkStatus();
                    }});
}

void FlagSet::Int(const std::string& name, int min, int* out) {
  flags_.push_back({name, true, [out, name, min](const std::string& v) {
                      if (!absl::SimpleAtoi(v, out) || *out < min) {
                        return absl::InvalidArgumentError(absl::StrCat(
                            name, " wants a whole number >= ", min, ", not '", v, "'"));
                      }
                      return absl::OkStatus();
                    }});
}

void FlagSet::Duration(const std::string& name, absl::Duration* out) {
  flags_.push_back({name, true, [out, name](const std::string& v) {
                      if (!absl::ParseDuration(v, out) || *out < absl::ZeroDuration()) {
                        return absl::InvalidArgumentError(absl::StrCat(
                            name, " wants a duration like 500ms, 15s or 2m, not '", v, "'"));
                      }
                      return absl::OkStatus();
                    }});
}

void FlagSet::Bool(const std::string& name, bool* out) {
  flags_.push_back({name, false, [out](const std::string&) {
                      *out = true;
                      return absl::OkStatus();
                    }});
}

absl::Status FlagSet::Parse(const std::vector<std::string>& args, bool* help) const {
  *help = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      *help = true;
      return absl::OkStatus();
    }
    const Flag* flag = nullptr;
    for (const Flag& f : flags_) {
      if (f.name == args[i]) flag = &f;
    }
    if (flag == nullptr && operands_ != nullptr &&
        (args[i].empty() || args[i][0] != '-' || args[i] == "-")) {
      operands_->push_back(args[i]);
      continue;
    }
    if (flag == nullptr) return absl::InvalidArgumentError("unknown flag " + args[i]);
    std::string value;
    if (flag->takes_value) {
      if (i + 1 >= args.size()) return absl::InvalidArgumentError(args[i] + " needs a value");
      value = args[++i];
    }
    if (auto st = flag->set(value); !st.ok()) return st;
  }
  return absl::OkStatus();
}

}  // namespace census
