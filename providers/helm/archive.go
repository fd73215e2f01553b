package helm

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"time"

	"helm.sh/helm/v3/pkg/chart"
	"sigs.k8s.io/yaml"
)

// The names chartutil.Save gives a chart's files (helm's pkg/chartutil,
// create.go). They are written out here rather than imported: chartutil
// links Kubernetes' API types (about 25 packages, and the k8s.io modules
// to download) into the binary for these four strings.
const (
	chartfileName  = "Chart.yaml"
	valuesfileName = "values.yaml"
	schemafileName = "values.schema.json"
	chartsDir      = "charts"
)

// errInvalidChartName is chartutil.ErrInvalidChartName, with its message.
type errInvalidChartName struct{ name string }

func (e errInvalidChartName) Error() string {
	return fmt.Sprintf("%q is not a valid chart name", e.name)
}

// The archive writer below is a port of helm v3.22.0's chartutil.Save
// (pkg/chartutil/save.go: Save, writeTarContents, writeToTar). It keeps
// Save's layout exactly (entry names and order, Chart.yaml re-serialised
// from the metadata, mode 0644, zero uid/gid and empty user names, the
// gzip header) so that a relctl package differs from `helm package` only in
// the tar entries' ModTime. Two changes make it reproducible:
//
//   - every entry's ModTime is the package time instead of time.Now();
//   - dependencies are written sorted by name and version, because helm's
//     loader collects charts/ in a map and so hands them to Save in random
//     order.
//
// Keep it in step with chartutil.Save when helm is upgraded; the tests
// compare the two entry by entry.

// helmGzipExtra is the gzip header Extra field chartutil.Save writes (its
// unexported headerBytes). The header carries no name and no time.
var helmGzipExtra = []byte("+aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=")

const helmGzipComment = "Helm"

// entry is one file of the archive.
type entry struct {
	name string
	data []byte
}

// writeArchive returns the gzipped tar of ch, every entry dated modTime.
func writeArchive(ch *chart.Chart, modTime time.Time) ([]byte, error) {
	if err := ch.Validate(); err != nil {
		return nil, fmt.Errorf("validate chart: %w", err)
	}
	entries, err := chartEntries(ch, "")
	if err != nil {
		return nil, err
	}

	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Header.Extra = helmGzipExtra
	zw.Header.Comment = helmGzipComment
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		// The header has exactly Save's fields; leaving Typeflag and Format
		// unset lets archive/tar choose as it does for Save (a USTAR regular
		// file). modTime has whole seconds, which USTAR keeps exactly.
		h := &tar.Header{
			Name:    e.name,
			Mode:    0o644,
			Size:    int64(len(e.data)),
			ModTime: modTime,
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("write tar header of %s: %w", e.name, err)
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, fmt.Errorf("write %s: %w", e.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("close tar: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("close gzip: %w", err)
	}
	return buf.Bytes(), nil
}

// chartEntries lists the files of ch under prefix in the order
// writeTarContents writes them.
func chartEntries(ch *chart.Chart, prefix string) ([]entry, error) {
	// Save refuses a name that would move the chart's folder.
	if ch.Name() != filepath.Base(ch.Name()) {
		return nil, fmt.Errorf("lay out archive under %q: %w", prefix, errInvalidChartName{name: ch.Name()})
	}
	// Save joins with filepath and converts to slashes; path.Join gives
	// the same names on every platform.
	base := path.Join(prefix, ch.Name())
	var out []entry
	add := func(name string, data []byte) {
		out = append(out, entry{name: path.Join(base, name), data: data})
	}

	// A v1 chart keeps its dependencies in requirements.yaml (written below
	// among the files); Save leaves them out of Chart.yaml. A copy of the
	// metadata spares mutating the loaded chart, as Save does temporarily.
	meta := *ch.Metadata
	if meta.APIVersion == chart.APIVersionV1 {
		meta.Dependencies = nil
	}
	cdata, err := yaml.Marshal(&meta)
	if err != nil {
		return nil, fmt.Errorf("serialise %s/Chart.yaml: %w", base, err)
	}
	add(chartfileName, cdata)

	if meta.APIVersion == chart.APIVersionV2 && ch.Lock != nil {
		ldata, err := yaml.Marshal(ch.Lock)
		if err != nil {
			return nil, fmt.Errorf("serialise %s/Chart.lock: %w", base, err)
		}
		add("Chart.lock", ldata)
	}

	for _, f := range ch.Raw {
		if f.Name == valuesfileName {
			add(valuesfileName, f.Data)
		}
	}

	if ch.Schema != nil {
		if !json.Valid(ch.Schema) {
			return nil, fmt.Errorf("%s/%s: %w", base, schemafileName, errInvalidSchema)
		}
		add(schemafileName, ch.Schema)
	}

	for _, f := range ch.Templates {
		add(f.Name, f.Data)
	}
	for _, f := range ch.Files {
		add(f.Name, f.Data)
	}

	deps, err := sortedDependencies(ch.Dependencies(), path.Join(base, chartsDir))
	if err != nil {
		return nil, err
	}
	for _, d := range deps {
		out = append(out, d...)
	}
	return out, nil
}

var errInvalidSchema = errors.New("invalid JSON")

// sortedDependencies lists each dependency's entries, the dependencies
// ordered by name, then version, then content (two copies of one chart
// under different file names in charts/ are possible, if odd), so that the
// order never depends on map iteration in helm's loader.
func sortedDependencies(deps []*chart.Chart, prefix string) ([][]entry, error) {
	type dep struct {
		name, version string
		sum           [sha256.Size]byte
		entries       []entry
	}
	list := make([]dep, 0, len(deps))
	for _, d := range deps {
		entries, err := chartEntries(d, prefix)
		if err != nil {
			return nil, err
		}
		h := sha256.New()
		for _, e := range entries {
			fmt.Fprintf(h, "%s\x00%d\x00", e.name, len(e.data))
			h.Write(e.data)
		}
		var sum [sha256.Size]byte
		copy(sum[:], h.Sum(nil))
		list = append(list, dep{name: d.Name(), version: d.Metadata.Version, sum: sum, entries: entries})
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a.name != b.name {
			return a.name < b.name
		}
		if a.version != b.version {
			return a.version < b.version
		}
		return bytes.Compare(a.sum[:], b.sum[:]) < 0
	})
	out := make([][]entry, len(list))
	for i, d := range list {
		out[i] = d.entries
	}
	return out, nil
}
