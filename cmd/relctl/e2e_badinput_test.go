package main

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/relctl/relctl/providers/oci/ocitest"
)

func TestE2E_badInputGivesAClearErrorAndPushesNothing(t *testing.T) {
	tests := []struct {
		name  string
		setup func(h *harness)
		// want are substrings of stderr.
		want []string
	}{
		{
			name: "malformed HCL",
			setup: func(h *harness) {
				h.chart("alpha", "1.0.0")
				h.write("relctl.hcl", "registry {\n  repository = \"x\"\n")
			},
			want: []string{"relctl.hcl", "line"},
		},
		{
			name: "unknown attribute",
			setup: func(h *harness) {
				h.chart("alpha", "1.0.0")
				h.registryOnly("  colour = \"blue\"\n")
			},
			want: []string{"relctl.hcl", "colour"},
		},
		{
			name: "chart folder without Chart.yaml",
			setup: func(h *harness) {
				h.write("deploy/podinfo/values.yaml", "a: 1\n")
				h.write("relctl.hcl", "registry {\n  repository = \""+h.reg.Host+"/acme/charts\"\n}\n\nchart \"podinfo\" {\n  path = \"deploy/podinfo\"\n}\n")
			},
			want: []string{"relctl.hcl", "deploy/podinfo", "Chart.yaml"},
		},
		{
			name: "version that is not semver",
			setup: func(h *harness) {
				h.chart("alpha", "latest")
				h.registryOnly("")
			},
			want: []string{"charts/alpha", `version "latest"`, "semantic versioning"},
		},
		{
			name: "chart name invalid in an OCI reference",
			setup: func(h *harness) {
				h.chart("Alpha", "1.0.0")
				h.registryOnly("")
			},
			want: []string{"Alpha"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			tt.setup(h)
			for _, cmd := range [][]string{{"validate"}, {"plan"}, {"apply", "--auto-approve"}} {
				code, _, errOut := h.relctl(cmd...)
				if code != exitError {
					t.Errorf("relctl %s exited %d, want 1; stderr:\n%s", cmd[0], code, errOut)
				}
				for _, w := range tt.want {
					if !strings.Contains(errOut, w) {
						t.Errorf("relctl %s: stderr lacks %q:\n%s", cmd[0], w, errOut)
					}
				}
			}
			if w := h.reg.Writes(); w != 0 {
				t.Errorf("bad input led to %d registry writes", w)
			}
		})
	}
}

func TestE2E_unreachableRegistryIsNamed(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	// A port that was free a moment ago: nothing listens there.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := ln.Addr().String()
	ln.Close()
	h.write("relctl.hcl", "registry {\n  repository = \""+host+"/acme/charts\"\n}\n\ncharts {\n  dir = \"charts\"\n}\n")
	code, _, errOut := h.relctl("plan")
	if code != exitError || !strings.Contains(errOut, "registry "+host+" unreachable") {
		t.Fatalf("plan against an unreachable registry exited %d:\n%s", code, errOut)
	}
}

func TestE2E_refusedCredentialsNameTheirSourceButNotTheSecret(t *testing.T) {
	reg, err := ocitest.Start(context.Background(), ocitest.Options{Username: "ci", Password: "right-password"})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.write("relctl.hcl", "registry {\n  repository = \""+reg.Host+"/acme/charts\"\n}\n\ncharts {\n  dir = \"charts\"\n}\n")
	h.env["RELCTL_REGISTRY_USERNAME"] = "ci"
	h.env["RELCTL_REGISTRY_PASSWORD"] = "wrong-password-s3cret"

	code, out, errOut := h.relctl("apply", "--auto-approve")
	if code != exitError {
		t.Fatalf("apply with a wrong password exited %d", code)
	}
	if !strings.Contains(errOut, "RELCTL_REGISTRY_USERNAME") || !strings.Contains(errOut, reg.Host) {
		t.Errorf("error does not name the credential source and host:\n%s", errOut)
	}
	if strings.Contains(errOut+out, "wrong-password-s3cret") {
		t.Errorf("the password leaked into the output:\n%s\n%s", out, errOut)
	}
	if w := reg.Writes(); w != 0 {
		t.Errorf("refused credentials led to %d writes", w)
	}

	h.env["RELCTL_REGISTRY_PASSWORD"] = "right-password"
	h.mustRelctl(exitOK, "apply", "--auto-approve")
}
