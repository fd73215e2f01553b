package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/relctl/relctl/providers/github/githubtest"
	"github.com/relctl/relctl/providers/oci/ocitest"
)

// Sandbox is the in-process registry and GitHub emulator, each behind a
// Meter.
type Sandbox struct {
	Registry  *ocitest.Server
	GitHub    *githubtest.Server
	GitHubURL string
	Token     string
	// RegistryUsername and RegistryPassword are the registry's credentials
	// (SandboxOptions.Token); empty for an open registry.
	RegistryUsername, RegistryPassword string
	// RegistryMeter and GitHubMeter see every request the servers get.
	RegistryMeter, GitHubMeter *Meter

	ghServer *http.Server
}

// SandboxOptions configure StartSandbox.
type SandboxOptions struct {
	// Latency is added to every request of either service.
	Latency time.Duration
	// GitHubHost is the address the emulator listens on; "" means
	// 127.0.0.1. relctl never paces GitHub writes to a loopback address, so
	// this host's own non-loopback address measures them paced.
	GitHubHost string
	// Token makes the registry want bearer tokens from its token endpoint,
	// as GHCR does (ocitest.Options.Token), with RegistryUsername and
	// RegistryPassword as the endpoint's credentials.
	Token bool
}

// StartSandbox starts both servers. Close stops them.
func StartSandbox(ctx context.Context, opts SandboxOptions) (*Sandbox, error) {
	tok := make([]byte, 16)
	if _, err := rand.Read(tok); err != nil {
		return nil, err
	}
	s := &Sandbox{
		Token:         "ghs_bench" + hex.EncodeToString(tok),
		RegistryMeter: &Meter{Service: "registry", Latency: opts.Latency, Classify: RegistryKind},
		GitHubMeter:   &Meter{Service: "github", Latency: opts.Latency, Classify: GitHubKind},
	}
	regOpts := ocitest.Options{Wrap: s.RegistryMeter.Wrap}
	if opts.Token {
		s.RegistryUsername, s.RegistryPassword = "bench", "bench_"+hex.EncodeToString(tok)
		regOpts.Token, regOpts.Username, regOpts.Password = true, s.RegistryUsername, s.RegistryPassword
	}
	reg, err := ocitest.Start(ctx, regOpts)
	if err != nil {
		return nil, err
	}
	s.Registry = reg
	host := opts.GitHubHost
	if host == "" {
		host = "127.0.0.1"
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		reg.Close()
		return nil, fmt.Errorf("github emulator: %w", err)
	}
	// The bench makes thousands of requests in minutes: GitHub's hourly
	// limit would end it, and rate limits are not what it measures.
	s.GitHub = githubtest.New(githubtest.Options{Token: s.Token, RateLimit: 1 << 30})
	s.GitHub.AddRepo(Owner, Repo)
	s.GitHub.AddRepo(Owner, BaselineRepo)
	s.GitHub.SeedPull(Owner, Repo, Commit, 12, "Release the charts.\n\n"+
		"```attestation-map\n{\"chart-000\": [\"https://github.com/acme/charts/attestations/4711\"]}\n```\n")
	s.GitHubURL = "http://" + ln.Addr().String() + "/"
	s.ghServer = &http.Server{Handler: s.GitHubMeter.Wrap(s.GitHub)}
	go s.ghServer.Serve(ln) //nolint:errcheck // returns on Close
	return s, nil
}

// Take returns the traffic of both services since the last Take.
func (s *Sandbox) Take() []Traffic {
	return append(s.RegistryMeter.Take(), s.GitHubMeter.Take()...)
}

// Close stops both servers.
func (s *Sandbox) Close() {
	s.ghServer.Close()
	s.GitHub.Close()
	s.Registry.Close()
}
