package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/relctl/relctl/providers/cosign"
)

// Owner and Repo name the GitHub repository relctl publishes to; the
// baseline publishes to BaselineRepo so that both start from nothing.
const (
	Owner        = "acme"
	Repo         = "charts"
	BaselineRepo = "baseline"
	// Commit is the merged commit being released; the emulator holds a pull
	// request for it, whose attestation map feeds the lineage assets.
	Commit = "5e1ec7ed0c0ffee5e1ec7ed0c0ffee5e1ec7ed0c"
	// keyPassword protects the throwaway cosign key.
	keyPassword = "bench-password"
)

// DependencyEvery is how often a generated chart vendors a dependency: one
// chart in DependencyEvery carries charts/common, a library chart.
const DependencyEvery = 5

// Workspace is a generated monorepo of charts with its relctl.hcl.
type Workspace struct {
	Dir    string
	Charts []string
	// Git reports whether Dir is a git checkout with one commit (git was
	// found), as a workflow's checkout is.
	Git bool

	registryHost string
}

// ChartName is the name of the i-th generated chart.
func ChartName(i int) string { return fmt.Sprintf("chart-%03d", i) }

// Generate writes n small charts under dir/charts, a relctl.hcl publishing
// them to registryHost and GitHub with key signing, releases and lineage (as
// examples/basic does), and a cosign key pair; then commits it all when git
// is on PATH.
func Generate(ctx context.Context, dir string, n int, registryHost string) (*Workspace, error) {
	ws := &Workspace{Dir: dir, registryHost: registryHost}
	files := map[string]string{
		"relctl.hcl": spec(registryHost, ""),
		// Release files attached by AttachFile are build output, not
		// sources: git need not hash a gigabyte.
		".gitignore": "dist/\n",
	}
	for i := range n {
		name := ChartName(i)
		ws.Charts = append(ws.Charts, name)
		for rel, content := range chartFiles(name, "1.0.0", i%DependencyEvery == DependencyEvery-1) {
			files[filepath.Join("charts", name, rel)] = content
		}
	}
	for rel, content := range files {
		if err := writeFile(dir, rel, content); err != nil {
			return nil, err
		}
	}
	if _, _, err := cosign.GenerateKeyPair(dir, []byte(keyPassword)); err != nil {
		return nil, err
	}
	if _, err := exec.LookPath("git"); err == nil {
		if err := ws.git(ctx, "init", "-q", "-b", "main"); err != nil {
			return nil, err
		}
		if err := ws.Commit(ctx, "charts"); err != nil {
			return nil, err
		}
		ws.Git = true
	}
	return ws, nil
}

// Bump raises the version of the i-th chart to version, with a changelog
// entry, and commits the change: a pull request releasing one chart.
func (ws *Workspace) Bump(ctx context.Context, i int, version string) error {
	name := ChartName(i)
	for rel, content := range chartFiles(name, version, i%DependencyEvery == DependencyEvery-1) {
		if err := writeFile(ws.Dir, filepath.Join("charts", name, rel), content); err != nil {
			return err
		}
	}
	if !ws.Git {
		return nil
	}
	return ws.Commit(ctx, "release "+name+" "+version)
}

// PayloadFile is the release file AttachFile adds to every release.
const PayloadFile = "dist/payload.bin"

// AttachFile writes PayloadFile of size bytes (sparse: it costs no disk)
// and adds it to every chart's release through release.files: the large
// asset whose upload and digest must stream.
func (ws *Workspace) AttachFile(size int64) error {
	path := filepath.Join(ws.Dir, filepath.FromSlash(PayloadFile))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return writeFile(ws.Dir, "relctl.hcl", spec(ws.registryHost, PayloadFile))
}

// Commit records every change in the workspace.
func (ws *Workspace) Commit(ctx context.Context, msg string) error {
	if err := ws.git(ctx, "add", "-A"); err != nil {
		return err
	}
	return ws.git(ctx, "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "commit", "-q", "-m", msg)
}

func (ws *Workspace) git(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = ws.Dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

func writeFile(dir, rel, content string) error {
	path := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(content), 0o644)
}

// spec is examples/basic's relctl.hcl with its variables fixed for the
// sandbox: key signing without a transparency log.
func spec(registryHost, file string) string {
	files := ""
	if file != "" {
		files = fmt.Sprintf("  files  = [%q]\n", file)
	}
	return fmt.Sprintf(`registry {
  repository  = "%s/%s/%s"
  on_conflict = "fail"
}

github {
  repository        = "%s/%s"
  make_latest       = false
  on_asset_conflict = "fail"
  update_notes      = true
}

signing {
  mode        = "key"
  key         = "cosign.key"
  tlog_upload = false
}

charts {
  dir = "charts"
}

release {
  tag    = "${chart.name}-v${chart.version}"
  title  = "${chart.name}: v${chart.version}"
  assets = ["CHANGELOG.md", "README.md", "LICENSE"]
  atomic = true
%s}
`, registryHost, Owner, Repo, Owner, Repo, files)
}

// chartFiles is a small application chart: two templates, values, a README,
// a CHANGELOG and a LICENSE; with dep, a vendored library chart too.
func chartFiles(name, version string, dep bool) map[string]string {
	chartYAML := fmt.Sprintf("apiVersion: v2\nname: %s\ndescription: The %s service\ntype: application\nversion: %s\nappVersion: \"%s\"\n", name, name, version, version)
	f := map[string]string{
		"values.yaml": "replicaCount: 1\nimage:\n  repository: ghcr.io/acme/" + name + "\n  tag: \"\"\nservice:\n  port: 8080\n",
		"templates/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-` + name + `
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels:
      app.kubernetes.io/instance: {{ .Release.Name }}
  template:
    metadata:
      labels:
        app.kubernetes.io/instance: {{ .Release.Name }}
    spec:
      containers:
        - name: app
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          ports:
            - containerPort: {{ .Values.service.port }}
`,
		"templates/service.yaml": `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-` + name + `
spec:
  selector:
    app.kubernetes.io/instance: {{ .Release.Name }}
  ports:
    - port: {{ .Values.service.port }}
`,
		"README.md":    "# " + name + "\n\nDeploys the " + name + " service.\n\n    helm install my-" + name + " oci://ghcr.io/acme/charts/" + name + "\n",
		"CHANGELOG.md": "# Changelog\n\n## [" + version + "]\n\n### Changed\n- Release " + version + ".\n\n## [0.9.0]\n\n- First cut.\n",
		"LICENSE":      "Copyright 2026 Acme\n\nLicensed under the Apache License, Version 2.0.\n",
	}
	if dep {
		chartYAML += "dependencies:\n  - name: common\n    version: 0.1.0\n"
		f["charts/common/Chart.yaml"] = "apiVersion: v2\nname: common\ndescription: Shared templates\ntype: library\nversion: 0.1.0\n"
		f["charts/common/templates/_labels.tpl"] = "{{- define \"common.labels\" -}}\napp.kubernetes.io/managed-by: {{ .Release.Service }}\n{{- end -}}\n"
	}
	f["Chart.yaml"] = chartYAML
	return f
}
