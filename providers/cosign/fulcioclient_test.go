package cosign

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/relctl/relctl/config"
)

// TestKeyless_fulcioThatNeverAnswersIsLeftWhenTheContextEnds: the
// certificate request goes through relctl's client with the context, so a
// cancelled apply is not held by a Fulcio that hangs (fulcio's own client
// took no context).
func TestKeyless_fulcioThatNeverAnswersIsLeftWhenTheContextEnds(t *testing.T) {
	isolate(t)
	reg := startRegistry(t)
	repo, digest := pushChart(t, reg, "podinfo", "1.0.0")
	sg := startSigstore(t)
	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer hung.Close()
	defer close(release)
	s, err := New(context.Background(), Options{
		Signing: config.Signing{
			Mode:        config.SigningKeyless,
			Identity:    config.Identity{Issuer: githubIssuer, SubjectRegexp: chartsSubject},
			FulcioURL:   hung.URL,
			RekorURL:    sg.RekorURL,
			TrustedRoot: sg.TrustedRoot,
		},
		Getenv:            env(sg.Actions(releaseWorkflow).Env),
		AllowHTTPRegistry: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()

	start := time.Now()
	err = s.SignManifest(ctx, repo, digest)

	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("SignManifest = %v, want the context's deadline", err)
	}
	if waited := time.Since(start); waited > 10*time.Second {
		t.Errorf("SignManifest returned %s after the deadline", waited)
	}
}
