"""Fills a store's audit table with a valid chain of N records (for measuring `idflow audit verify`)."""
import hashlib, json, sqlite3, sys
path, n = sys.argv[1], int(sys.argv[2])
db = sqlite3.connect(path)
db.execute("DELETE FROM audit")
prev = "0" * 64
rows = []
for seq in range(1, n + 1):
    at = 1_780_000_000_000 + seq
    kind = "action" if seq % 4 else "run"
    data = json.dumps({"run": f"r{seq // 4}", "step": seq % 4, "action": "okta.suspend_user",
                       "status": "ok", "input": {"id": f"00u{seq:08d}"}, "error": None, "dry_run": False},
                      separators=(",", ":"))
    h = hashlib.sha256(f"{seq}\n{at}\n{kind}\n{data}\n{prev}".encode()).hexdigest()
    rows.append((seq, at, kind, None, data, prev, h))
    prev = h
    if len(rows) == 100_000:
        db.executemany("INSERT INTO audit (seq, at_ms, kind, subject, data, prev, hash) VALUES (?,?,?,?,?,?,?)", rows)
        rows.clear()
db.executemany("INSERT INTO audit (seq, at_ms, kind, subject, data, prev, hash) VALUES (?,?,?,?,?,?,?)", rows)
db.commit()
print(prev)
