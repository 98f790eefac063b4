#!/usr/bin/env python3
# Writes the seed inputs of the wire_* fuzz targets (fuzz/checks.h: frames as a length
# byte and the bytes, L = 255 for the rest) into fuzz/corpus/wire_*/, encoding the
# payloads with protoc --encode. Run from anywhere: python3 fuzz/wire_seeds.py

import os, subprocess
root=os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
def enc(msg, text):
    return subprocess.run(['protoc','-I',root,'--encode=census.'+msg,'proto/census.proto'],
                          input=text.encode(), capture_output=True, check=True, cwd=root).stdout
def frames(*fs):
    out=b''
    for i,f in enumerate(fs):
        if i==len(fs)-1 and len(f)>=255: out+=b'\xff'+f
        else:
            assert len(f)<255; out+=bytes([len(f)])+f
    return out
IDENT=b'\x00\x6b\x8b\x45\x67'
def write(target, name, data):
    d=f'{root}/fuzz/corpus/{target}'; os.makedirs(d, exist_ok=True)
    open(f'{d}/{name}','wb').write(data)
def common(target, router, good):
    pre=(IDENT,) if router else ()
    write(target,'wrong_version',frames(*pre,b'',b'census/0',good))
    write(target,'binary_version',frames(*pre,b'',b'\x00\xffcensus\x7f/1',good))
    write(target,'no_delimiter',frames(*pre,b'x',b'census/1',good))
    write(target,'too_few_frames',frames(*pre,b'census/1',good))
    write(target,'too_many_frames',frames(*pre,*[b'',b'census/1']*5,good))
    write(target,'empty_body',frames(*pre,b'',b'census/1',b''))
    write(target,'garbage_payload',frames(*pre,b'',b'census/1',b'\xff\xff\xff\xff\x0f\x0a\x80'))
    write(target,'truncated_payload',frames(*pre,b'',b'census/1',good[:len(good)//2]))
    write(target,'garbage',b'\x13\x37garbage frames \x00\x01\x02\xfe')
t='wire_to_coordinator'
good=enc('ToCoordinator','status_request {}')
common(t,True,good)
write(t,'status_request',frames(IDENT,b'',b'census/1',good))
write(t,'work_request',frames(IDENT,b'',b'census/1',enc('ToCoordinator','work_request { worker_id: "w1" capacity: 2 }')))
write(t,'lease_done',frames(IDENT,b'',b'census/1',enc('ToCoordinator','lease_done { lease_id: 7 worker_id: "w1" pages_fetched: 3 errors: 1 links { url: "http://www.a.gov.cn/x.html" found_on: "http://www.a.gov.cn/" on_homepage: true } }')))
write(t,'lease_return',frames(IDENT,b'',b'census/1',enc('ToCoordinator','lease_return { lease_ids: [1, 2, 3] worker_id: "w1" }')))
t='wire_from_coordinator'
good=enc('FromCoordinator','status { run_id: "2026-11-20T08:00:00.000Z" as_of: "2026-11-20" sites_total: 3 sites_done: 1 errors_by_kind { key: "timeout" value: 2 } errors_by_kind { key: "dns" value: 1 } workers { worker_id: "w1" leases_out: 1 } }')
common(t,False,good)
write(t,'status',frames(b'',b'census/1',good))
write(t,'lease',frames(b'',b'census/1',enc('FromCoordinator','lease { lease_id: 9 site { site_id: "s1" name: "A" url: "http://www.a.gov.cn/" } tasks { kind: HOMEPAGE url: "http://www.a.gov.cn/" } tasks { kind: PROBE url: "http://www.a.gov.cn/" probe_index: 2 } deadline_ms: 1790000000000 as_of: "2026-11-20" discover_columns: true }')))
write(t,'no_work',frames(b'',b'census/1',enc('FromCoordinator','no_work { retry_after_ms: 500 }')))
write(t,'shutdown',frames(b'',b'census/1',enc('FromCoordinator','shutdown {}')))
t='wire_to_store'
good=enc('ToStore','info {}')
common(t,True,good)
write(t,'info',frames(IDENT,b'',b'census/1',good))
write(t,'batch',frames(IDENT,b'',b'census/1',enc('ToStore','batch { lease_id: 4 site { site_id: "s1" name: "A" url: "http://www.a.gov.cn/" } run_id: "r1" fetches { site_id: "s1" kind: HOMEPAGE url: "http://www.a.gov.cn/" status: 200 content_type: "text/html" } }')))
write(t,'put_run',frames(IDENT,b'',b'census/1',enc('ToStore','put_run { run_id: "r1" started_ms: 1 finished_ms: 2 as_of: "2026-11-20" sites: 1 site_ids: "s1" pages_fetched: 3 }')))
write(t,'aggregate',frames(IDENT,b'',b'census/1',enc('ToStore','aggregate { run_id: "r1" max_sites: -5 }')))
write(t,'aggregate_next',frames(IDENT,b'',b'census/1',enc('ToStore','aggregate_next { run_id: "r1" }')))
t='wire_from_store'
good=enc('FromStore','ack { lease_id: 4 ok: true run_id: "r1" }')
common(t,False,good)
write(t,'ack',frames(b'',b'census/1',good))
write(t,'ack_wrong_shard',frames(b'',b'census/1',enc('FromStore','ack { lease_id: 4 ok: false wrong_shard: true error: "site s1 belongs to store shard 1/2" }')))
write(t,'info',frames(b'',b'census/1',enc('FromStore','info { shard: 0 shards: 1 batches_written: 5 run_ids: "r1" }')))
write(t,'chunk',frames(b'',b'census/1',enc('FromStore','chunk { run_id: "r1" done: true shard: 0 shards: 1 as_of: "2026-11-20" sites { site_id: "s1" name: "A" url: "http://www.a.gov.cn/" verdict: "pass" score: 0.5 } summary { as_of: "2026-11-20" sites: 1 passed: 1 } }')))
