package state

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

// crIndex is an index as chart-releaser (`cr index`, through helm's
// IndexFile) writes it: keys sorted, created with nanoseconds and an
// offset, a foreign chart and an older version beside the one relctl
// manages.
const crIndex = `apiVersion: v1
entries:
  other:
  - apiVersion: v2
    created: "2023-01-02T03:04:05.123456789-06:00"
    digest: 1111111111111111111111111111111111111111111111111111111111111111
    name: other
    urls:
    - https://example.org/other-0.1.0.tgz
    version: 0.1.0
    x-foreign-field: kept
  podinfo:
  - apiVersion: v2
    appVersion: 6.5.0
    created: "2024-05-06T07:08:09.5Z"
    description: A chart
    digest: aaaa
    name: podinfo
    urls:
    - https://github.com/acme/charts/releases/download/podinfo-v1.2.0/podinfo-1.2.0.tgz
    version: 1.2.0
  - apiVersion: v2
    created: "2024-01-01T00:00:00Z"
    digest: bbbb
    name: podinfo
    urls:
    - https://github.com/acme/charts/releases/download/podinfo-v1.1.0/podinfo-1.1.0.tgz
    version: 1.1.0
generated: "2024-05-06T07:08:10Z"
`

func record(version, digest string) IndexRecord {
	return IndexRecord{
		Chart: "podinfo", Version: version, Digest: digest,
		URL:      AssetURL("https://github.com/acme/charts/releases/download/", "podinfo-v"+version, "podinfo-"+version+".tgz"),
		Created:  time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		Metadata: []byte(`{"name":"podinfo","version":"` + version + `","apiVersion":"v2","description":"A chart"}`),
	}
}

func TestIndex_agreeingEntryIsNoChangeWhateverItsCreatedOrKeyOrder(t *testing.T) {
	idx, err := ParseIndex([]byte(crIndex))
	if err != nil {
		t.Fatal(err)
	}
	changed, err := idx.Merge([]IndexRecord{record("1.2.0", "aaaa")})
	if err != nil || changed {
		t.Fatalf("Merge of an agreeing entry: changed=%v err=%v, want no change", changed, err)
	}
}

func TestIndex_mergeAddsNewVersionFirstAndKeepsForeignEntriesByteForByte(t *testing.T) {
	idx, _ := ParseIndex([]byte(crIndex))
	changed, err := idx.Merge([]IndexRecord{record("1.3.0", "cccc")})
	if err != nil || !changed {
		t.Fatalf("changed=%v err=%v", changed, err)
	}
	out, err := idx.Encode()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Entries map[string][]map[string]any `json:"entries"`
	}
	if err := yaml.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	var versions []string
	for _, e := range doc.Entries["podinfo"] {
		versions = append(versions, fmt.Sprint(e["version"]))
	}
	if got := strings.Join(versions, ","); got != "1.3.0,1.2.0,1.1.0" {
		t.Errorf("podinfo versions = %s, want newest first 1.3.0,1.2.0,1.1.0", got)
	}
	other := doc.Entries["other"][0]
	if other["x-foreign-field"] != "kept" || other["created"] != "2023-01-02T03:04:05.123456789-06:00" {
		t.Errorf("foreign entry changed: %v", other)
	}
	if old := doc.Entries["podinfo"][1]; old["created"] != "2024-05-06T07:08:09.5Z" {
		t.Errorf("the existing 1.2.0 entry was rewritten: %v", old)
	}
	if !bytes.Contains(out, []byte("generated: \"2025-01-02T03:04:05Z\"")) {
		t.Errorf("generated is not the newest record's time:\n%s", out)
	}
}

func TestIndex_mergeReplacesAlteredEntryAndDropsDuplicates(t *testing.T) {
	dup := strings.Replace(crIndex, "  - apiVersion: v2\n    created: \"2024-01-01", "  - apiVersion: v2\n    digest: dead\n    name: podinfo\n    urls: [x]\n    version: 1.2.0\n  - apiVersion: v2\n    created: \"2024-01-01", 1)
	idx, err := ParseIndex([]byte(dup))
	if err != nil {
		t.Fatal(err)
	}
	if n := idx.Len(); n != 4 {
		t.Fatalf("Len = %d, want 4", n)
	}
	changed, err := idx.Merge([]IndexRecord{record("1.2.0", "ffff")})
	if err != nil || !changed {
		t.Fatalf("changed=%v err=%v", changed, err)
	}
	if n := idx.Len(); n != 3 {
		t.Errorf("Len after merge = %d, want 3 (the duplicate 1.2.0 dropped)", n)
	}
	if e, _ := idx.Entry("podinfo", "1.2.0"); e.Digest != "ffff" {
		t.Errorf("1.2.0 digest = %q, want the record's ffff", e.Digest)
	}
}

func TestIndex_emptyDataIsAnEmptyIndexAndGarbageIsRefused(t *testing.T) {
	idx, err := ParseIndex(nil)
	if err != nil || idx.Len() != 0 {
		t.Fatalf("empty: %v, %d entries", err, idx.Len())
	}
	for _, bad := range []string{"- a\n- b\n", "entries: {}\n", "{{"} {
		if _, err := ParseIndex([]byte(bad)); err == nil {
			t.Errorf("ParseIndex(%q) accepted it", bad)
		}
	}
}

func TestAssetURL_escapesSegmentsAsGitHubDoes(t *testing.T) {
	got := AssetURL("https://github.com/a/b/releases/download/", "team/x-v1.0.0+1", "x-1.0.0+1.tgz")
	if want := "https://github.com/a/b/releases/download/team/x-v1.0.0+1/x-1.0.0+1.tgz"; got != want {
		t.Errorf("AssetURL = %s, want %s", got, want)
	}
}

// A digest edited by hand to digits only is a YAML number: the entry is
// still recognised as the version's, and replaced rather than duplicated.
func TestIndex_handEditedNumericDigestIsReplacedNotDuplicated(t *testing.T) {
	idx, err := ParseIndex([]byte("apiVersion: v1\nentries:\n  podinfo:\n  - name: podinfo\n    version: 1.2.0\n    digest: 000000\n    urls: [u]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := idx.Entry("podinfo", "1.2.0"); !ok || e.Digest != "0" {
		t.Fatalf("Entry = %+v, %v", e, ok)
	}
	if _, err := idx.Merge([]IndexRecord{record("1.2.0", "aaaa")}); err != nil {
		t.Fatal(err)
	}
	if n := idx.Len(); n != 1 {
		t.Errorf("%d entries after merge, want 1", n)
	}
}
