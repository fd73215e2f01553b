package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/sigstore/cosign/v2/cmd/cosign/cli/rekor"
	cosignpkg "github.com/sigstore/cosign/v2/pkg/cosign"
	"github.com/sigstore/cosign/v2/pkg/oci/static"
	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/relctl/relctl/providers/cosign/sigstoretest"
)

// The workflow the tests run as, and the identity the spec accepts.
var (
	releaseWorkflow = sigstoretest.Identity{
		Issuer:      sigstoretest.GitHubIssuer,
		WorkflowRef: "acme/charts/.github/workflows/release.yaml@refs/heads/main",
	}
	chartsIdentity = `subject_regexp = "^https://github.com/acme/charts/"`
)

// withSigstore runs a private Sigstore for h, its trusted_root.json in the
// spec folder, and gives relctl a GitHub Actions token source for
// workflow.
func (h *harness) withSigstore(workflow sigstoretest.Identity) (*sigstoretest.Sigstore, *sigstoretest.Actions) {
	h.t.Helper()
	sg, err := sigstoretest.Start(h.dir)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(sg.Close)
	actions := sg.Actions(workflow)
	maps.Copy(h.env, actions.Env)
	return sg, actions
}

// keylessSpec is the signing block of a private Sigstore, as a user of
// one writes it.
func keylessSpec(sg *sigstoretest.Sigstore, tlog bool, identity string) string {
	return fmt.Sprintf(`
signing {
  fulcio_url   = %q
  rekor_url    = %q
  trusted_root = "trusted_root.json"
  tlog_upload  = %t
  identity {
    %s
  }
}
`, sg.FulcioURL, sg.RekorURL, tlog, identity) + fastRetry
}

func dropActionsEnv(h *harness) {
	delete(h.env, "ACTIONS_ID_TOKEN_REQUEST_URL")
	delete(h.env, "ACTIONS_ID_TOKEN_REQUEST_TOKEN")
}

func TestE2E_keylessWithAPrivateSigstore_signsOnceAndEverythingVerifies(t *testing.T) {
	for _, tlog := range []bool{true, false} {
		t.Run(fmt.Sprintf("tlog_upload=%t", tlog), func(t *testing.T) {
			h := newHarness(t)
			sg, actions := h.withSigstore(releaseWorkflow)
			h.chart("alpha", "1.0.0")
			h.full("", "", keylessSpec(sg, tlog, chartsIdentity))

			h.mustRelctl(exitOK, "apply", "--auto-approve")

			// One certificate for the chart's signature, one for the
			// release's .tgz.sig/.tgz.pem; each in the log when asked.
			wantEntries := map[bool]int{true: 2, false: 0}[tlog]
			if sg.Certificates() != 2 || sg.Entries() != wantEntries {
				t.Fatalf("Fulcio issued %d certificates, Rekor holds %d entries; want 2 and %d", sg.Certificates(), sg.Entries(), wantEntries)
			}
			co := sigstoreCheckOpts(t, sg, tlog)

			// cosign, with the trusted root and the identity, verifies the
			// chart's signature...
			ctx := context.Background()
			ref, err := name.ParseReference(h.reg.Host+"/acme/charts/alpha:1.0.0", name.Insecure)
			if err != nil {
				t.Fatal(err)
			}
			imageOpts := *co
			imageOpts.ClaimVerifier = cosignpkg.SimpleClaimVerifier
			if found, _, err := cosignpkg.VerifyImageSignatures(ctx, ref, &imageOpts); err != nil || len(found) != 1 {
				t.Fatalf("cosign verify: %d signatures, %v", len(found), err)
			}
			// ...and the release's .tgz.sig with its .tgz.pem, over the
			// released .tgz, as `cosign verify-blob --certificate` does.
			rel := h.releasesFor("alpha-v1.0.0")[0]
			assets := map[string][]byte{}
			for _, a := range rel.Assets {
				assets[a.Name] = a.Data
			}
			tgz, sig, cert := assets["alpha-1.0.0.tgz"], assets["alpha-1.0.0.tgz.sig"], assets["alpha-1.0.0.tgz.pem"]
			if tgz == nil || sig == nil || cert == nil {
				t.Fatalf("release assets %v, want the .tgz, .tgz.sig and .tgz.pem", assetNames(rel))
			}
			blobSig, err := static.NewSignature(tgz, string(sig), static.WithCertChain(cert, nil))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := cosignpkg.VerifyBlobSignature(ctx, blobSig, co); err != nil {
				t.Fatalf("cosign verify-blob: the release's .tgz.sig and .tgz.pem do not verify the .tgz: %v", err)
			}

			// Signed once: the next apply signs, logs and writes nothing.
			tokens := actions.Requests.Load()
			h.reg.ResetRequests()
			h.gh.ResetLog()
			h.mustRelctl(exitOK, "apply", "--auto-approve")
			if w, m := h.reg.Writes(), h.gh.Mutations(); w != 0 || m != 0 {
				t.Errorf("second apply wrote %d times to the registry and %d to GitHub", w, m)
			}
			if sg.Certificates() != 2 || sg.Entries() != wantEntries || actions.Requests.Load() != tokens {
				t.Errorf("second apply: %d certificates, %d entries, %d more tokens; want no new signing",
					sg.Certificates(), sg.Entries(), actions.Requests.Load()-tokens)
			}

			// A pull request has no OIDC token: plan, verify and drift
			// verify with the trusted root alone.
			dropActionsEnv(h)
			h.mustRelctl(exitOK, "plan", "--detailed-exitcode")
			out := h.mustRelctl(exitOK, "verify")
			for _, want := range []string{"signature", "release signature", "checks passed"} {
				if !strings.Contains(out, want) {
					t.Errorf("verify output lacks %q:\n%s", want, out)
				}
			}
			h.mustRelctl(exitOK, "drift")
		})
	}
}

// TestE2E_keylessSignatureOfAnotherIdentityIsNotSigned: a chart signed by
// the release workflow, checked by a spec that trusts another issuer or
// another repository, is reported not signed by the configured identity,
// and never "signed".
func TestE2E_keylessSignatureOfAnotherIdentityIsNotSigned(t *testing.T) {
	h := newHarness(t)
	sg, _ := h.withSigstore(releaseWorkflow)
	h.chart("alpha", "1.0.0")
	h.full("", "", keylessSpec(sg, true, chartsIdentity))
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	dropActionsEnv(h)

	for what, identity := range map[string]string{
		"issuer":  `issuer = "https://gitlab.example.com"` + "\n    " + chartsIdentity,
		"subject": `subject_regexp = "^https://github.com/acme/other/"`,
	} {
		t.Run(what, func(t *testing.T) {
			h.full("", "", keylessSpec(sg, true, identity))
			code, out, errOut := h.relctl("verify")
			if code == exitOK {
				t.Fatalf("verify passed with another %s:\n%s", what, out)
			}
			for _, re := range []string{
				`(?m)^alpha\s+1\.0\.0\s+signature\s+FAILED\s+1 signature, not valid for the configured identity \(keyless\)$`,
				`(?m)^alpha\s+1\.0\.0\s+release signature\s+FAILED\s+.*none of the expected identities matched`,
				`Verification failed: 2 of 6 checks failed\.`,
			} {
				if !regexp.MustCompile(re).MatchString(out) {
					t.Errorf("verify output does not match %s:\n%s\n%s", re, out, errOut)
				}
			}
			code, out, errOut = h.relctl("plan", "--detailed-exitcode")
			if code != exitChanges || !regexp.MustCompile(`\+ oci_signature\.alpha\n\s+reason: 1 signature, not valid for the configured identity`).MatchString(out) {
				t.Errorf("plan exited %d; want the signature made again, for it is not the configured identity's:\n%s\n%s", code, out, errOut)
			}
			code, out, _ = h.relctl("drift")
			if code != exitChanges || !strings.Contains(out, "UNSIGNED: alpha is published WITHOUT a valid signature.") {
				t.Errorf("drift exited %d; want the chart reported unsigned:\n%s", code, out)
			}
		})
	}
}

// TestE2E_keylessDebugLogTracesFulcioAndRekorAndNoToken: the certificate
// request, the log upload and the OIDC token request are each a trace
// line; neither the token nor the request token appears.
func TestE2E_keylessDebugLogTracesFulcioAndRekorAndNoToken(t *testing.T) {
	h := newHarness(t)
	sg, actions := h.withSigstore(releaseWorkflow)
	h.chart("alpha", "1.0.0")
	h.write("relctl.hcl", fmt.Sprintf("registry {\n  repository = \"%s/acme/charts\"\n}\n\ncharts {\n  dir = \"charts\"\n}\n%s",
		h.reg.Host, keylessSpec(sg, true, chartsIdentity)))
	h.env["RELCTL_LOG"] = "debug"

	code, out, errOut := h.relctl("apply", "--auto-approve")
	if code != exitOK {
		t.Fatalf("apply exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for what, re := range map[string]string{
		"the certificate request": `(?m)^relctl \[DEBUG\] http: POST ` + regexp.QuoteMeta(sg.FulcioURL) + `/api/v1/signingCert -> 201 \(`,
		"the log upload":          `(?m)^relctl \[DEBUG\] http: POST ` + regexp.QuoteMeta(sg.RekorURL) + `/api/v1/log/entries -> 201 \(`,
		"the OIDC token request":  `(?m)^relctl \[DEBUG\] http: GET http://127\.0\.0\.1:\d+/\S*idtoken\S* -> 200 \(`,
	} {
		if !regexp.MustCompile(re).MatchString(errOut) {
			t.Errorf("stderr does not list %s (%s):\n%s", what, re, errOut)
		}
	}
	for _, secret := range []string{actions.Env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"], "Authorization", "Bearer", "eyJ"} {
		if strings.Contains(out+errOut, secret) {
			t.Errorf("output holds %q", secret)
		}
	}
}

// TestCLI_sandboxWithSigstoreServesKeylessSigning uses `relctl sandbox
// --sigstore` as its help says: its coordinates in the signing block and
// the environment, an apply signs keyless, a verify without the token
// passes.
func TestCLI_sandboxWithSigstoreServesKeylessSigning(t *testing.T) {
	h := newHarness(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		code := run(ctx, []string{"sandbox", "--sigstore"}, &Env{
			Stdin: strings.NewReader(""), Stdout: pw, Stderr: &stderr,
			Getenv: func(string) string { return "" }, Environ: func() []string { return nil },
		})
		pw.Close()
		done <- code
	}()
	vars := map[string]string{}
	sc := bufio.NewScanner(pr)
	// Read until the last keys the test needs; the sandbox prints others
	// too, and may print more in future.
	for (vars["TRUSTED_ROOT"] == "" || vars["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] == "" || vars["REKOR_URL"] == "" || vars["FULCIO_URL"] == "") && sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), "=")
		vars[k] = v
	}
	go io.Copy(io.Discard, pr) //nolint:errcheck // nothing more is expected
	if vars["TRUSTED_ROOT"] == "" || vars["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] == "" || vars["REKOR_URL"] == "" || vars["FULCIO_URL"] == "" {
		cancel()
		t.Fatalf("sandbox --sigstore printed %v (exit %d); stderr:\n%s", vars, <-done, stderr.String())
	}

	h.chart("alpha", "1.0.0")
	h.write("relctl.hcl", fmt.Sprintf(`registry {
  repository = "%s/acme/charts"
}

charts {
  dir = "charts"
}

signing {
  fulcio_url   = %q
  rekor_url    = %q
  trusted_root = %q
  identity {
    subject_regexp = "^https://github.com/acme/charts/.github/workflows/release.yaml@"
  }
}
`, vars["RELCTL_SANDBOX_REGISTRY"], vars["FULCIO_URL"], vars["REKOR_URL"], vars["TRUSTED_ROOT"]))
	h.env["ACTIONS_ID_TOKEN_REQUEST_URL"] = vars["ACTIONS_ID_TOKEN_REQUEST_URL"]
	h.env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = vars["ACTIONS_ID_TOKEN_REQUEST_TOKEN"]
	h.mustRelctl(exitOK, "apply", "--auto-approve")
	dropActionsEnv(h)
	if out := h.mustRelctl(exitOK, "verify"); !regexp.MustCompile(`(?m)^alpha\s+1\.0\.0\s+signature\s+ok\s+1 valid signature`).MatchString(out) {
		t.Errorf("verify does not find the keyless signature valid:\n%s", out)
	}

	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("sandbox exited %d after cancellation; stderr:\n%s", code, stderr.String())
	}
	if _, err := os.Stat(vars["TRUSTED_ROOT"]); !os.IsNotExist(err) {
		t.Errorf("the sandbox left %s behind (%v)", vars["TRUSTED_ROOT"], err)
	}
}

// sigstoreCheckOpts are cosign's checks against the private Sigstore sg
// for the repository's workflow identities, with its log when tlog.
func sigstoreCheckOpts(t *testing.T, sg *sigstoretest.Sigstore, tlog bool) *cosignpkg.CheckOpts {
	t.Helper()
	tr, err := root.NewTrustedRootFromPath(sg.TrustedRoot)
	if err != nil {
		t.Fatal(err)
	}
	co := &cosignpkg.CheckOpts{
		TrustedMaterial: tr,
		Identities:      []cosignpkg.Identity{{Issuer: sigstoretest.GitHubIssuer, SubjectRegExp: "^https://github.com/acme/charts/"}},
		IgnoreTlog:      !tlog,
	}
	if tlog {
		if co.RekorClient, err = rekor.NewClient(sg.RekorURL); err != nil {
			t.Fatal(err)
		}
	}
	return co
}
