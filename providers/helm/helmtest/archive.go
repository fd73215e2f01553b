package helmtest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"sigs.k8s.io/yaml"
)

// Chart returns the archive of a small chart: Chart.yaml (apiVersion v2),
// values.yaml and a ConfigMap template naming the chart and version, plus
// any extra files (relative to the chart folder).
func Chart(name, version string, extra map[string]string) []byte {
	files := map[string]string{
		"Chart.yaml":  fmt.Sprintf("apiVersion: v2\nname: %s\nversion: %s\ndescription: the %s chart\n", name, version, name),
		"values.yaml": "enabled: true\n",
		"templates/configmap.yaml": fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-%s\ndata:\n  version: %q\n",
			name, version),
	}
	for k, v := range extra {
		files[k] = v
	}
	entries := map[string]string{}
	for k, v := range files {
		entries[name+"/"+k] = v
	}
	return Raw(entries)
}

// Raw returns a gzipped tar of the given entries exactly as named (so a
// test can write "../evil" or "/etc/passwd"), sorted by name.
func Raw(entries map[string]string) []byte {
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, n := range names {
		data := entries[n]
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			panic(err)
		}
		io.WriteString(tw, data)
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

// metadataOf reads the top-level Chart.yaml of an archive.
func metadataOf(archive []byte) (*chart.Metadata, error) {
	zr, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err != nil {
			return nil, fmt.Errorf("archive has no Chart.yaml: %w", err)
		}
		parts := strings.Split(path.Clean(h.Name), "/")
		if len(parts) == 2 && parts[1] == "Chart.yaml" {
			data, err := io.ReadAll(tr)
			if err != nil {
				return nil, err
			}
			var m chart.Metadata
			if err := yaml.Unmarshal(data, &m); err != nil {
				return nil, err
			}
			return &m, nil
		}
	}
}
