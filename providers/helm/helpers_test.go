package helm

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"

	"github.com/relctl/relctl/config"
)

// fixture describes a small chart written by writeChart.
type fixture struct {
	// mode is the permission of every file written; 0 means 0644.
	mode os.FileMode
	// vendored adds two dependencies to Chart.yaml and vendors them: redis
	// as a folder charts/redis, memcached as charts/memcached-6.0.0.tgz.
	vendored bool
	// undeclaredRedis declares redis in Chart.yaml, with no repository,
	// without vendoring it.
	undeclaredRedis bool
}

const (
	testName    = "podinfo"
	testVersion = "1.2.0"
)

const chartYAML = `apiVersion: v2
name: podinfo
version: 1.2.0
appVersion: "6.5.0"
description: Podinfo is a tiny web application
home: https://example.com/podinfo
sources:
  - https://github.com/acme/podinfo
  - https://github.com/acme/mirror
maintainers:
  - name: Ada
    email: ada@example.com
  - name: Bob
annotations:
  org.opencontainers.image.title: not-the-title
  example.com/team: platform
`

const dependenciesYAML = `dependencies:
  - name: redis
    version: 17.x
    repository: https://charts.example.com
  - name: memcached
    version: 6.0.0
    repository: https://charts.example.com
`

const chartLock = `dependencies:
- name: redis
  repository: https://charts.example.com
  version: 17.3.0
- name: memcached
  repository: https://charts.example.com
  version: 6.0.0
digest: sha256:0000000000000000000000000000000000000000000000000000000000000000
generated: "2024-01-02T03:04:05Z"
`

const deploymentYAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "podinfo.fullname" . }}
spec:
  replicas: {{ .Values.replicaCount }}
  template:
    spec:
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Chart.AppVersion }}"
`

// wantDeployment is deploymentYAML rendered for release "web" with the
// default values.
const wantDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-podinfo
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: podinfo
          image: "ghcr.io/acme/podinfo:6.5.0"
`

// writeChart writes the podinfo chart into dir (created if needed) and
// returns dir.
func writeChart(t testing.TB, dir string, f fixture) string {
	t.Helper()
	mode := f.mode
	if mode == 0 {
		mode = 0o644
	}
	chartFile := chartYAML
	switch {
	case f.vendored:
		chartFile += dependenciesYAML
	case f.undeclaredRedis:
		chartFile += "dependencies:\n  - name: redis\n    version: 17.x\n"
	}
	files := map[string]string{
		"Chart.yaml":  chartFile,
		"values.yaml": "replicaCount: 2\nimage:\n  repository: ghcr.io/acme/podinfo\n",
		"values.schema.json": `{"$schema":"https://json-schema.org/draft-07/schema#","type":"object",` +
			`"properties":{"replicaCount":{"type":"integer"}}}` + "\n",
		"templates/deployment.yaml": deploymentYAML,
		"templates/_helpers.tpl":    `{{- define "podinfo.fullname" -}}{{ .Release.Name }}-{{ .Chart.Name }}{{- end -}}` + "\n",
		"templates/NOTES.txt":       "Thanks for installing {{ .Chart.Name }}.\n",
		"README.md":                 "# podinfo\n",
		"files/config.txt":          "listen=:9898\n",
		".helmignore":               "*.bak\nscratch/\n",
		"old-notes.bak":             "ignored by .helmignore\n",
		"scratch/draft.yaml":        "ignored by .helmignore\n",
	}
	if f.vendored {
		files["Chart.lock"] = chartLock
		files["charts/redis/Chart.yaml"] = "apiVersion: v2\nname: redis\nversion: 17.3.0\n"
		files["charts/redis/values.yaml"] = "port: 6379\n"
		files["charts/redis/templates/service.yaml"] = "kind: Service\nmetadata:\n  name: {{ .Release.Name }}-redis\n"
	}
	for name, body := range files {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(name)), body, mode)
	}
	if f.vendored {
		sub := &chart.Chart{
			Metadata:  &chart.Metadata{APIVersion: chart.APIVersionV2, Name: "memcached", Version: "6.0.0"},
			Templates: []*chart.File{{Name: "templates/cm.yaml", Data: []byte("kind: ConfigMap\n")}},
		}
		if _, err := chartutil.Save(sub, filepath.Join(dir, "charts")); err != nil {
			t.Fatalf("vendor memcached: %v", err)
		}
	}
	return dir
}

func writeFile(t testing.TB, path, body string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	// WriteFile applies the mode only to new files, and through the umask.
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func chartConfig(dir string) config.Chart {
	return config.Chart{Name: testName, Version: testVersion, Dir: dir, RelDir: "charts/" + testName}
}

// tarEntry is one entry of an archive as read back.
type tarEntry struct {
	Header tar.Header
	Data   string
}

// readArchive returns the gzip header and the entries of a .tgz.
func readArchive(t testing.TB, archive []byte) (gzip.Header, []tarEntry) {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	tr := tar.NewReader(zr)
	var out []tarEntry
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("untar: %v", err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("read %s: %v", h.Name, err)
		}
		out = append(out, tarEntry{Header: *h, Data: string(data)})
	}
	return zr.Header, out
}

func entryNames(entries []tarEntry) []string {
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Header.Name
	}
	return names
}

// helmSave packages dir with helm's own chartutil.Save, the code behind
// `helm package`, with the dependencies in relctl's order (helm's loader
// leaves them in random order).
func helmSave(t testing.TB, dir string) []byte {
	t.Helper()
	ch, err := loader.LoadDir(dir)
	if err != nil {
		t.Fatalf("helm load %s: %v", dir, err)
	}
	deps := ch.Dependencies()
	slices.SortFunc(deps, func(a, b *chart.Chart) int { return strings.Compare(a.Name(), b.Name()) })
	ch.SetDependencies(deps...)
	path, err := chartutil.Save(ch, t.TempDir())
	if err != nil {
		t.Fatalf("helm save: %v", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
