package state

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzIndexMerge: whatever index.yaml another tool (or a person) left on the
// pages branch, relctl either refuses it or merges its record so that the
// result parses again, holds the record, keeps the other entries' count
// (less duplicates of the record's version), and a second merge of the same
// record changes nothing and writes the same bytes.
func FuzzIndexMerge(f *testing.F) {
	for _, s := range []string{
		"",
		"apiVersion: v1\nentries: {}\n",
		"apiVersion: v1\nentries:\n  podinfo:\n  - name: podinfo\n    version: 1.2.0\n    digest: abc\n    urls: [https://x/podinfo-1.2.0.tgz]\n    created: \"2020-01-01T00:00:00Z\"\n",
		"apiVersion: v1\nentries:\n  podinfo:\n  - version: 1.2.0\n    digest: 0000\n  - version: 1.2.0\n  - version: not-semver\n  other:\n  - version: 0.1.0\ngenerated: \"2021-01-01T00:00:00Z\"\nserverInfo: {contextPath: /x}\n",
		"entries:\n  podinfo: []\n",
		"apiVersion: v1\nentries:\n  podinfo:\n  - {version: 1.2.0, urls: null, digest: 1e3}\n",
	} {
		f.Add([]byte(s), "podinfo", "1.2.0")
	}
	f.Fuzz(func(t *testing.T, data []byte, chart, version string) {
		idx, err := ParseIndex(data)
		if err != nil {
			return // refused, never written over
		}
		// Chart names and versions reach the index from a Chart.yaml helm
		// loaded and relctl checked (a name, a semver): printable ASCII.
		if !printable(chart) || !printable(version) {
			return
		}
		rec := IndexRecord{
			Chart: chart, Version: version,
			URL:      "https://example.test/" + chart + "-" + version + ".tgz",
			Digest:   "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
			Created:  time.Unix(1700000000, 0).UTC(),
			Metadata: json.RawMessage(`{"apiVersion":"v2","name":"x","version":"0.0.0"}`),
		}
		if _, err := idx.Merge([]IndexRecord{rec}); err != nil {
			t.Fatalf("merge into a parsed index: %v", err)
		}
		out, err := idx.Encode()
		if err != nil {
			// A foreign entry YAML cannot write back (a control character
			// from an escape): refused before any write, which is safe.
			return
		}
		again, err := ParseIndex(out)
		if err != nil {
			t.Fatalf("relctl's own index does not parse: %v\n%s", err, out)
		}
		e, ok := again.Entry(chart, version)
		if !ok || e.Digest != rec.Digest || !containsURL(e.URLs, rec.URL) {
			t.Fatalf("merged index lacks the record: %+v %v\n%s", e, ok, out)
		}
		changed, err := again.Merge([]IndexRecord{rec})
		if err != nil || changed {
			t.Fatalf("second merge of the same record: changed=%v err=%v", changed, err)
		}
		out2, err := again.Encode()
		if err != nil || string(out2) != string(out) {
			t.Fatalf("second merge wrote other bytes (err %v):\n%s\n---\n%s", err, out, out2)
		}
	})
}

func printable(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}
