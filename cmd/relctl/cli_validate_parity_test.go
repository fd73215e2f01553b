package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLI_validateRefusesWhatPlanRefusesOffline lists each refusal plan
// makes before it needs an answer from the network, and checks that
// validate refuses the same spec with the same message, without a request.
func TestCLI_validateRefusesWhatPlanRefusesOffline(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(h *harness)
	}{
		{"symlink out of the chart", func(h *harness) {
			h.full("", "", "")
			h.write("outside.txt", "not part of the chart\n")
			link(h, "charts/alpha/templates/leak.yaml", "../../../outside.txt")
		}},
		{"values file over helm's size limit", func(h *harness) {
			h.full("", "", "")
			h.write("charts/alpha/values.yaml", "big: \""+strings.Repeat("x", 5<<20)+"\"\n")
		}},
		{"dependency without repository not vendored", func(h *harness) {
			h.full("", "", "")
			h.write("charts/alpha/Chart.yaml", "apiVersion: v2\nname: alpha\nversion: 1.0.0\ndependencies:\n  - name: redis\n    version: 18.0.0\n")
		}},
		{"Chart.lock out of date with Chart.yaml", func(h *harness) {
			h.full("", "", "")
			h.write("charts/alpha/Chart.yaml", "apiVersion: v2\nname: alpha\nversion: 1.0.0\ndependencies:\n  - name: redis\n    version: 18.1.0\n    repository: https://charts.example.com\n")
			h.write("charts/alpha/Chart.lock", "dependencies:\n- name: redis\n  repository: https://charts.example.com\n  version: 18.0.0\ndigest: sha256:0000000000000000000000000000000000000000000000000000000000000000\ngenerated: \"2026-01-01T00:00:00Z\"\n")
		}},
		{"Chart.yaml helm refuses", func(h *harness) {
			h.full("", "", "")
			h.write("charts/alpha/Chart.yaml", "apiVersion: v2\nname: alpha\nversion: 1.0.0\ntype: plugin\n")
		}},
		{"notes template that fails to render", func(h *harness) {
			h.full("", "", "release {\n  notes_template = \"{{ .NoSuchField }}\"\n}\n")
		}},
		{"required asset missing", func(h *harness) {
			h.full("", "", "release {\n  asset \"LICENSE\" {\n    required = true\n  }\n}\n")
		}},
		{"asset that is a folder", func(h *harness) {
			h.full("", "", "release {\n  assets = [\"docs\"]\n}\n")
			h.write("charts/alpha/docs/index.md", "# docs\n")
		}},
		{"public key missing", func(h *harness) {
			h.full("", "", "signing {\n  mode = \"key\"\n  key = \"env://COSIGN_KEY\"\n  public_key = \"keys/cosign.pub\"\n}\n")
		}},
		{"key from an unset environment variable", func(h *harness) {
			h.full("", "", "signing {\n  mode = \"key\"\n  key = \"env://COSIGN_KEY\"\n}\n")
		}},
		{"release file through a symlink out of the spec", func(h *harness) {
			h.full("", "", "release {\n  files = [\"extra/*\"]\n}\n")
			outside := filepath.Join(t.TempDir(), "secret.txt")
			if err := os.WriteFile(outside, []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
			link(h, "extra/notes.txt", outside)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.chart("alpha", "1.0.0")
			tc.setup(h)

			// validate runs first: a plan that refuses cancels its
			// requests in flight, and the servers may log one after
			// plan returned.
			before := h.reg.CountRequests("") + len(h.gh.Log())
			vCode, _, vErr := h.relctl("validate")
			jsCode, jsOut, _ := h.relctl("validate", "--json")
			if after := h.reg.CountRequests("") + len(h.gh.Log()); after != before {
				t.Errorf("validate made %d requests; it must work offline", after-before)
			}

			code, out, errOut := h.relctl("plan", "--json")
			if code != exitError {
				t.Fatalf("plan exited %d, want %d: the case does not make plan refuse\nstdout:\n%s\nstderr:\n%s", code, exitError, out, errOut)
			}
			refusals := planRefusals(t, out, errOut)

			if vCode != exitError {
				t.Fatalf("validate exited %d where plan refused with %q\nstderr:\n%s", vCode, refusals, vErr)
			}
			for _, msg := range refusals {
				if !strings.Contains(vErr, msg) {
					t.Errorf("validate does not say what plan said:\nplan:     %s\nvalidate: %s", msg, vErr)
				}
			}
			var v struct {
				Valid       bool `json:"valid"`
				Diagnostics []struct {
					Detail string `json:"detail"`
				} `json:"diagnostics"`
			}
			if err := json.Unmarshal([]byte(jsOut), &v); err != nil || jsCode != exitError || v.Valid {
				t.Fatalf("validate --json exited %d (%v):\n%s", jsCode, err, jsOut)
			}
			for _, msg := range refusals {
				said := false
				for _, d := range v.Diagnostics {
					said = said || strings.Contains(d.Detail, msg)
				}
				if !said {
					t.Errorf("validate --json does not say what plan said: %s\n%s", msg, jsOut)
				}
			}
		})
	}
}

// planRefusals is what plan said: the reasons of its blocked changes, or
// its error.
func planRefusals(t *testing.T, stdout, stderr string) []string {
	t.Helper()
	var p struct {
		ResourceChanges []struct {
			Address string   `json:"address"`
			Actions []string `json:"actions"`
			Reason  string   `json:"reason"`
		} `json:"resource_changes"`
	}
	var out []string
	if json.Unmarshal([]byte(stdout), &p) == nil {
		for _, c := range p.ResourceChanges {
			if len(c.Actions) == 1 && c.Actions[0] == "blocked" {
				out = append(out, c.Address+": "+c.Reason)
			}
		}
	}
	if _, msg, ok := strings.Cut(stderr, "Error: "); ok {
		out = append(out, strings.TrimSpace(msg))
	}
	if len(out) == 0 {
		t.Fatalf("plan refused without a message:\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	return out
}

func link(h *harness, rel, target string) {
	h.t.Helper()
	p := filepath.Join(h.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		h.t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		h.t.Fatal(err)
	}
}
