package state

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkIndex_readMergeWrite1000 is one index write's local work on an
// index of 1,000 entries from another tool: parse, merge one record, encode.
func BenchmarkIndex_readMergeWrite1000(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("apiVersion: v1\nentries:\n  legacy:\n")
	for i := range 1000 {
		fmt.Fprintf(&sb, "  - apiVersion: v2\n    created: \"2020-01-01T00:00:00Z\"\n    digest: %064x\n    name: legacy\n    urls:\n    - https://example.org/legacy-0.%d.0.tgz\n    version: 0.%d.0\n", i, i, i)
	}
	sb.WriteString("generated: \"2020-01-02T00:00:00Z\"\n")
	data := []byte(sb.String())
	rec := record("1.3.0", "cccc")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		idx, err := ParseIndex(data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := idx.Merge([]IndexRecord{rec}); err != nil {
			b.Fatal(err)
		}
		if _, err := idx.Encode(); err != nil {
			b.Fatal(err)
		}
	}
}
