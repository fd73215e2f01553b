package cosign

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/providers/httplog"
)

// TestSignManifest_rekorRequestsAreTraced: with RELCTL_LOG=debug the
// transparency log upload is a trace line like every registry request.
// The stand-in Rekor refuses the entry, so signing fails after it.
func TestSignManifest_rekorRequestsAreTraced(t *testing.T) {
	isolate(t)
	ctx := context.Background()
	rekor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"code":400,"message":"refused by the test"}`)
	}))
	defer rekor.Close()
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	priv, _, err := GenerateKeyPair(t.TempDir(), []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	var trace bytes.Buffer
	s, err := New(ctx, Options{
		Signing:           config.Signing{Mode: config.SigningKey, Key: priv, TlogUpload: true, RekorURL: rekor.URL},
		Getenv:            env(map[string]string{"COSIGN_PASSWORD": testPassword}),
		AllowHTTPRegistry: true,
		Log:               httplog.New(&trace),
	})
	if err != nil {
		t.Fatal(err)
	}

	if err := s.SignManifest(ctx, repo, digest); err == nil {
		t.Fatal("SignManifest succeeded although Rekor refused the entry")
	}

	re := regexp.MustCompile(`(?m)^relctl \[DEBUG\] http: POST ` + regexp.QuoteMeta(rekor.URL) + `/api/v1/log/entries -> 400 \(`)
	if !re.MatchString(trace.String()) {
		t.Errorf("trace has no Rekor upload line:\n%s", trace.String())
	}
}
