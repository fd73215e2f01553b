package main

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/relctl/relctl/providers/oci/ocitest"
)

// tokenHarness is a harness whose registry authenticates as GHCR does:
// bearer tokens per repository scope from its token endpoint, which wants
// the credentials relctl is given.
func tokenHarness(t *testing.T, user, password string) *harness {
	t.Helper()
	h := newHarness(t)
	reg, err := ocitest.Start(context.Background(), ocitest.Options{Token: true, Username: user, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	h.reg = reg
	h.env["RELCTL_REGISTRY_USERNAME"] = user
	h.env["RELCTL_REGISTRY_PASSWORD"] = password
	return h
}

// Against a registry with bearer tokens, a no-change plan of signed charts
// costs per chart what it costs against an open registry (the chart's
// manifest, its signature tag) plus at most one token, shared by the chart
// read (oras-go) and the signature read (go-containerregistry); the
// prefetch asks for several repositories' tokens at once (here one for
// all). Each client running its own token exchange made it 3 registry
// requests (one a 401) and 2 tokens per chart.
func TestE2E_tokenRegistry_applyPlanVerifyWithOneTokenPerChart(t *testing.T) {
	const charts = 3
	h := tokenHarness(t, "ci", "token-pa55word")
	h.withKey()
	h.chart("alpha", "1.0.0")
	h.chart("beta", "0.2.0")
	h.chart("gamma", "0.3.0")
	h.full("", "", signingSpec("fail"))
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	// The first publish: one token request for the reads of all three
	// repositories (the plan's prefetch), one for their writes (apply's).
	if n := h.reg.TokenRequests(); n == 0 {
		t.Fatal("apply asked for no token: the registry is not in token mode")
	} else if n > 2 {
		t.Errorf("a first publish of %d signed charts made %d token requests, want 2: one for the reads, one for the writes", charts, n)
	}

	h.reg.ResetRequests()
	h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
	reg, tokens := h.reg.CountRequests(""), h.reg.TokenRequests()
	if reg > 2*charts+1 || tokens > charts {
		for _, r := range h.reg.Requests() {
			t.Logf("%s %s %d", r.Method, r.Path, r.Status)
		}
		t.Errorf("no-change plan of %d signed charts: %d registry requests and %d token requests, want at most %d and %d",
			charts, reg, tokens, 2*charts+1, charts)
	}

	out := h.mustRelctl(exitOK, "verify")
	for _, name := range []string{"alpha", "beta", "gamma"} {
		if !strings.Contains(out, name) {
			t.Errorf("verify output does not name %s:\n%s", name, out)
		}
	}
}

func TestE2E_tokenRegistry_wrongPasswordNamesTheRegistryAndNoSecret(t *testing.T) {
	h := tokenHarness(t, "ci", "right-password")
	h.env["RELCTL_REGISTRY_PASSWORD"] = "wrong-password-s3cret"
	h.withKey()
	h.chart("alpha", "1.0.0")
	h.full("", "", signingSpec("fail"))

	code, out, errOut := h.relctl("apply", "--auto-approve")
	if code != exitError {
		t.Fatalf("apply with a wrong password exited %d\n%s", code, errOut)
	}
	if !strings.Contains(errOut, h.reg.Host) || !strings.Contains(errOut, "RELCTL_REGISTRY_USERNAME") {
		t.Errorf("the error does not name the registry and the credential source:\n%s", errOut)
	}
	if strings.Contains(out+errOut, "wrong-password-s3cret") {
		t.Errorf("the password leaked:\n%s\n%s", out, errOut)
	}
	if w := h.reg.Writes(); w != 0 {
		t.Errorf("refused credentials led to %d writes", w)
	}
}

// RELCTL_LOG=debug lists the token requests and holds no token, no
// password and no Authorization value.
func TestE2E_tokenRegistry_debugLogHoldsNoToken(t *testing.T) {
	const user, password = "ci", "token-pa55word-9b1e"
	h := tokenHarness(t, user, password)
	h.withKey()
	h.chart("alpha", "1.0.0")
	h.full("", "", signingSpec("fail"))
	h.env["RELCTL_LOG"] = "debug"
	code, out1, err1 := h.relctl("apply", "--auto-approve")
	if code != exitOK {
		t.Fatalf("apply exited %d\n%s", code, err1)
	}
	code, out2, err2 := h.relctl("plan")
	if code != exitOK {
		t.Fatalf("plan exited %d\n%s", code, err2)
	}
	stderr := err1 + err2
	if !strings.Contains(stderr, "http: GET http://"+h.reg.Host+ocitest.TokenPath) {
		t.Errorf("the trace does not list the token requests:\n%s", stderr)
	}
	for _, secret := range []string{
		password, base64.StdEncoding.EncodeToString([]byte(user + ":" + password)),
		"Authorization", "authorization", "Bearer ", "Basic ", "eyJ", // a JWT's header
	} {
		if strings.Contains(stderr+out1+out2, secret) {
			t.Errorf("the output holds %q", secret)
		}
	}
}

// relctl sandbox --token serves a registry that wants bearer tokens and
// prints the credentials its token endpoint takes.
func TestSandbox_tokenRegistryPrintsItsCredentials(t *testing.T) {
	s, err := startSandbox(context.Background(), sandboxOptions{registryAddr: "127.0.0.1:0", githubAddr: "127.0.0.1:0", token: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	vars := map[string]string{}
	for _, kv := range s.vars() {
		vars[kv[0]] = kv[1]
	}
	if vars["RELCTL_REGISTRY_USERNAME"] == "" || vars["RELCTL_REGISTRY_PASSWORD"] == "" {
		t.Fatalf("sandbox --token printed %v, want RELCTL_REGISTRY_USERNAME and RELCTL_REGISTRY_PASSWORD", vars)
	}
	resp, err := http.Get("http://" + s.registry.Host + "/v2/acme/charts/alpha/manifests/1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer ") {
		t.Errorf("anonymous read = %d %q, want 401 with a Bearer challenge", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
}
