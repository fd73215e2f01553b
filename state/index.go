package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/Masterminds/semver/v3"
	yamlv2 "go.yaml.in/yaml/v2"
	"helm.sh/helm/v3/pkg/chart"
	"sigs.k8s.io/yaml"
)

// The classic chart repository index (index.yaml on a pages branch), in
// helm v3's format (pkg/repo's IndexFile and ChartVersion). relctl does not
// import pkg/repo: through helm's getter it pulls kubectl and kustomize into
// the build for two types. Instead, an index is kept as helm's JSON form with
// every entry as raw JSON: entries relctl does not manage (other charts,
// other versions, fields only another tool knows) are written back byte for
// byte, and the YAML is made as helm's IndexFile.WriteFile makes it (JSON
// marshalled, then converted with sigs.k8s.io/yaml: keys sorted).

// IndexState is what was observed of the index.
type IndexState struct {
	// Branch and Path locate the index (helm_repository's branch and path).
	Branch, Path string
	// Exists is false when the branch or the file is absent: an empty
	// index.
	Exists bool
	// Entries holds, per declared chart name, the index's entry for the
	// chart's declared version; absent when the index has none. Entries of
	// other charts and versions are not kept: relctl never changes them.
	Entries map[string]IndexEntry
	// DownloadBase is where the repository's release assets download from
	// anonymously, ending in "/":
	// "https://github.com/acme/charts/releases/download/". An asset's URL is
	// AssetURL(DownloadBase, tag, name).
	DownloadBase string
	// ArtifactHub is artifacthub-repo.yml beside the index, observed only
	// when an artifacthub block is declared: nil when absent.
	ArtifactHub []byte
}

// IndexEntry is one chart version's entry as the index holds it.
type IndexEntry struct {
	// Digest is the package's sha256 in hex, as helm writes it (no
	// "sha256:" prefix).
	Digest string
	URLs   []string
}

// IndexRecord is an entry relctl writes: the chart version, where its
// package downloads from, the package's digest, and its Chart.yaml.
type IndexRecord struct {
	Chart   string `json:"chart"`
	Version string `json:"version"`
	URL     string `json:"url"`
	// Digest is hex sha256 of the package.
	Digest string `json:"digest"`
	// Created is deterministic (the package time), so that writing the same
	// record twice gives the same bytes.
	Created time.Time `json:"created"`
	// Metadata is the Chart.yaml metadata as JSON (helm's OCI config blob).
	Metadata json.RawMessage `json:"metadata"`
}

// IndexUpdate is one write of the index: every record of one apply, in one
// commit.
type IndexUpdate struct {
	Branch, Path string
	Records      []IndexRecord
	// Files are other files of the branch written in the same commit
	// (artifacthub-repo.yml beside the index), each only when its content
	// differs. Paths are inside the branch.
	Files []BranchFile
	// Message is the commit message.
	Message string
}

// BranchFile is a whole file of the pages branch.
type BranchFile struct {
	Path string `json:"path"`
	Data []byte `json:"data"`
}

// Index is a parsed index.yaml. The zero value is not usable: use
// ParseIndex.
type Index struct {
	// top holds every top-level field but entries, as found.
	top map[string]json.RawMessage
	// entries holds each chart's versions as found, in order.
	entries map[string][]json.RawMessage
}

// chartVersion is helm's repo.ChartVersion, the fields relctl reads and
// writes.
type chartVersion struct {
	*chart.Metadata
	URLs    []string  `json:"urls"`
	Created time.Time `json:"created,omitempty"`
	Digest  string    `json:"digest,omitempty"`
}

// ParseIndex reads an index as helm does (YAML, or JSON). Empty data is an
// empty index.
func ParseIndex(data []byte) (*Index, error) {
	idx := &Index{top: map[string]json.RawMessage{}, entries: map[string][]json.RawMessage{}}
	if len(data) == 0 {
		idx.top["apiVersion"] = json.RawMessage(`"v1"`)
		return idx, nil
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(js, &idx.top); err != nil {
		return nil, errors.New("not a chart repository index: the document is not a mapping")
	}
	if _, ok := idx.top["apiVersion"]; !ok {
		return nil, errors.New("no apiVersion: not a chart repository index")
	}
	if raw, ok := idx.top["entries"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &idx.entries); err != nil {
			return nil, fmt.Errorf("entries: %w", err)
		}
	}
	delete(idx.top, "entries")
	return idx, nil
}

// Entry returns the index's entry for chart at version; ok is false when
// there is none.
func (idx *Index) Entry(chart, version string) (IndexEntry, bool) {
	for _, raw := range idx.entries[chart] {
		if v := looseEntry(raw); v.version == version {
			return IndexEntry{Digest: v.digest, URLs: v.urls}, true
		}
	}
	return IndexEntry{}, false
}

// loose is what relctl reads of any entry, whatever else it holds or
// however odd its types: a hand-edited digest of digits is a YAML number.
type loose struct {
	version, digest string
	urls            []string
}

func looseEntry(raw json.RawMessage) loose {
	var e struct {
		Version any   `json:"version"`
		Digest  any   `json:"digest"`
		URLs    []any `json:"urls"`
	}
	if json.Unmarshal(raw, &e) != nil {
		return loose{}
	}
	out := loose{version: scalar(e.Version), digest: scalar(e.Digest)}
	for _, u := range e.URLs {
		out.urls = append(out.urls, scalar(u))
	}
	return out
}

func scalar(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// Len counts the index's entries, every chart and version.
func (idx *Index) Len() int {
	n := 0
	for _, vs := range idx.entries {
		n += len(vs)
	}
	return n
}

// Merge puts each record into idx: an entry of the same chart and version
// whose digest and URLs agree is kept as it is (its created, its key order);
// one that disagrees is replaced, duplicates of it removed; an absent one is
// added. Every other entry stays as it is. It reports whether idx changed.
func (idx *Index) Merge(records []IndexRecord) (bool, error) {
	changed := false
	for _, r := range records {
		want, err := recordEntry(r)
		if err != nil {
			return false, err
		}
		var kept []json.RawMessage
		found := false
		for _, raw := range idx.entries[r.Chart] {
			cv := looseEntry(raw)
			if cv.version != r.Version {
				kept = append(kept, raw)
				continue
			}
			if found {
				changed = true // a duplicate: dropped
				continue
			}
			found = true
			if cv.digest != r.Digest || !containsURL(cv.urls, r.URL) {
				raw, changed = want, true
			}
			kept = append(kept, raw)
		}
		if !found {
			kept, changed = append(kept, want), true
		}
		idx.entries[r.Chart] = sortVersions(kept)
	}
	if changed {
		// generated is the newest record's time, not the clock: merging the
		// same records into the same index gives the same bytes.
		var gen time.Time
		if raw, ok := idx.top["generated"]; ok {
			_ = json.Unmarshal(raw, &gen)
		}
		for _, r := range records {
			if r.Created.After(gen) {
				gen = r.Created.UTC()
			}
		}
		idx.top["generated"], _ = json.Marshal(gen)
	}
	return changed, nil
}

func recordEntry(r IndexRecord) (json.RawMessage, error) {
	md := &chart.Metadata{}
	if err := json.Unmarshal(r.Metadata, md); err != nil {
		return nil, fmt.Errorf("chart metadata of %s %s: %w", r.Chart, r.Version, err)
	}
	md.Name, md.Version = r.Chart, r.Version
	if md.APIVersion == "" {
		md.APIVersion = chart.APIVersionV1
	}
	return json.Marshal(chartVersion{Metadata: md, URLs: []string{r.URL}, Created: r.Created.UTC(), Digest: r.Digest})
}

// sortVersions orders a chart's entries newest first, as helm's
// IndexFile.SortEntries does (a version that does not parse sorts last).
func sortVersions(vs []json.RawMessage) []json.RawMessage {
	ver := make([]*semver.Version, len(vs))
	for i, raw := range vs {
		var cv struct {
			Version string `json:"version"`
		}
		if json.Unmarshal(raw, &cv) == nil {
			ver[i], _ = semver.NewVersion(cv.Version)
		}
	}
	idx := make([]int, len(vs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		va, vb := ver[idx[a]], ver[idx[b]]
		switch {
		case va == nil:
			return false
		case vb == nil:
			return true
		}
		return vb.LessThan(va)
	})
	out := make([]json.RawMessage, len(vs))
	for i, j := range idx {
		out[i] = vs[j]
	}
	return out
}

func containsURL(urls []string, u string) bool {
	for _, x := range urls {
		if x == u {
			return true
		}
	}
	return false
}

// Encode serialises the index as helm's IndexFile.WriteFile does: JSON
// converted to YAML with yaml.v2, keys in its natural order. That order is
// not a total one (keys such as "10000A" and "010000A" can compare either
// way against a third), and yaml.v2 sorts a Go map's keys from map
// iteration order, so a foreign entry's keys could come out in another order
// on each write. Encode sorts every mapping itself, bytewise first and then
// stably in yaml.v2's order: the same index gives the same bytes.
func (idx *Index) Encode() ([]byte, error) {
	doc := make(map[string]any, len(idx.top)+1)
	for k, v := range idx.top {
		doc[k] = v
	}
	doc["entries"] = idx.entries
	js, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	// yaml.v2 reads JSON (a subset of YAML) picking number types as
	// sigs.k8s.io/yaml's JSONToYAML does; into a MapSlice, every mapping in
	// the document is a MapSlice.
	var ms yamlv2.MapSlice
	if err := yamlv2.Unmarshal(js, &ms); err != nil {
		return nil, err
	}
	out, err := yamlv2.Marshal(sortMappings(ms))
	if err != nil {
		return nil, err
	}
	// yaml.v2 writes some keys plain that do not read back as written (a
	// chart named "<<" becomes a merge key): an index that would not read
	// back is refused here, before any write.
	back, err := ParseIndex(out)
	if err != nil {
		return nil, fmt.Errorf("index.yaml would not read back as written: %w", err)
	}
	for chart, vs := range idx.entries {
		if len(back.entries[chart]) != len(vs) {
			return nil, fmt.Errorf("index.yaml would not read back as written: the entries of %q", chart)
		}
	}
	return out, nil
}

// sortMappings orders every mapping in v, recursively, as described at
// Encode.
func sortMappings(v any) any {
	switch v := v.(type) {
	case yamlv2.MapSlice:
		for i := range v {
			v[i].Value = sortMappings(v[i].Value)
		}
		key := func(i int) string { return fmt.Sprint(v[i].Key) }
		sort.SliceStable(v, func(i, j int) bool { return key(i) < key(j) })
		sort.SliceStable(v, func(i, j int) bool { return naturalLess(key(i), key(j)) })
		return v
	case []any:
		for i := range v {
			v[i] = sortMappings(v[i])
		}
	}
	return v
}

// naturalLess is yaml.v2's order of two string keys (its sorter.go), which
// puts "a2" before "a10".
func naturalLess(a, b string) bool {
	ar, br := []rune(a), []rune(b)
	for i := 0; i < len(ar) && i < len(br); i++ {
		if ar[i] == br[i] {
			continue
		}
		al, bl := unicode.IsLetter(ar[i]), unicode.IsLetter(br[i])
		if al && bl {
			return ar[i] < br[i]
		}
		if al || bl {
			return bl
		}
		var ai, bi int
		var an, bn int64
		if ar[i] == '0' || br[i] == '0' {
			for j := i - 1; j >= 0 && unicode.IsDigit(ar[j]); j-- {
				if ar[j] != '0' {
					an, bn = 1, 1
					break
				}
			}
		}
		for ai = i; ai < len(ar) && unicode.IsDigit(ar[ai]); ai++ {
			an = an*10 + int64(ar[ai]-'0')
		}
		for bi = i; bi < len(br) && unicode.IsDigit(br[bi]); bi++ {
			bn = bn*10 + int64(br[bi]-'0')
		}
		if an != bn {
			return an < bn
		}
		if ai != bi {
			return ai < bi
		}
		return ar[i] < br[i]
	}
	return len(ar) < len(br)
}

// AssetURL is a release asset's browser_download_url under base
// (IndexState.DownloadBase).
func AssetURL(base, tag, name string) string {
	return base + escapePath(tag) + "/" + escapePath(name)
}

// escapePath escapes a tag or asset name as GitHub's browser_download_url
// does: each path segment escaped, slashes kept.
func escapePath(s string) string {
	parts := strings.Split(s, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}
