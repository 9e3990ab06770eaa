"""Merge results folders that one machine's sweep wrote in parts (ceilings-bench
--benchmark_filter=..., the same plan), into one folder: plan.json and probe.json of the first,
bench.json's benchmarks concatenated, at_s shifted by each part's start.
Usage: merge-parts.py OUT DIR:OFFSET_S:FILTER...  This folder was made by
  merge-parts.py merged "results/a:0:-numpy|mpi|/n:158000000/" \
    "results/b1:76:^motion/(serial|omp|proc|threads)/(batched|pertick)/n:158000000/" \
    "results/c:206:numpy.*/n:10000000/" \
    "results/b2:413:^(trig|starve)/(serial|omp|proc|threads)/(batched|pertick)/n:158000000/"
"""
import json, sys, os
out, parts = sys.argv[1], sys.argv[2:]
# each part: DIR:OFFSET_S:FILTER
os.makedirs(out, exist_ok=True)
merged, info = None, []
for spec in parts:
    d, off, filt = spec.split(':', 2)
    b = json.load(open(os.path.join(d, 'bench.json')))
    for r in b['benchmarks']:
        if 'at_s' in r:
            r['at_s'] += float(off)
    info.append({'filter': filt, 'date': b['context']['date'], 'at_s_offset': float(off),
                 'benchmarks': len(b['benchmarks'])})
    if merged is None:
        merged = b
    else:
        keep = ('date', 'load_avg', 'memory_available_bytes')
        for k, v in b['context'].items():
            if k not in keep and merged['context'].get(k) != v:
                sys.exit(f'{d}: context differs in {k}')
        names = {r['name'] for r in merged['benchmarks']}
        dup = [r['name'] for r in b['benchmarks'] if r['name'] in names and r['run_type'] == 'iteration']
        if dup:
            sys.exit(f'{d}: {dup[0]} is in an earlier part too')
        merged['benchmarks'] += b['benchmarks']
merged['context']['parts'] = json.dumps(info)
json.dump(merged, open(os.path.join(out, 'bench.json'), 'w'), indent=2)
first = parts[0].split(':')[0]
for f in ('plan.json', 'probe.json'):
    open(os.path.join(out, f), 'w').write(open(os.path.join(first, f)).read())
