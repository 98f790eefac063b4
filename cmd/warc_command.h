#ifndef CENSUS_CMD_WARC_COMMAND_H_
#define CENSUS_CMD_WARC_COMMAND_H_

// WARC interchange (docs/WARC.md): the store's fetches written as a WARC 1.1 file that
// any web-archive tool reads, and WARC files (census's own, wget's, Heritrix's) read
// into the store as a run of their own.

#include <string>
#include <vector>

namespace census {

// census export-warc --data DIR [--run RUN_ID] --out FILE.warc.gz [--quiet]
int RunExportWarc(const std::vector<std::string>& args);

// census import-warc --data DIR [--sites FILE] [--quiet] FILE...
int RunImportWarc(const std::vector<std::string>& args);

}  // namespace census

#endif  // CENSUS_CMD_WARC_COMMAND_H_
