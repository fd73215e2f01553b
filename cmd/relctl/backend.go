package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/planner"
	"github.com/relctl/relctl/providers/cosign"
	"github.com/relctl/relctl/providers/github"
	"github.com/relctl/relctl/providers/helm"
	"github.com/relctl/relctl/providers/httplog"
	"github.com/relctl/relctl/providers/oci"
	"github.com/relctl/relctl/state"
)

// backend holds the providers for one spec.
type backend struct {
	spec     *config.Spec
	packager *helm.Packager
	registry *oci.Client
	signer   *cosign.Signer
	releases *github.Client
	// listed, when set, is told the releases each observation lists
	// (verify starts its downloads then).
	listed func([]state.Release)
}

// purpose says whether a backend will only read (plan, drift, verify) or
// also write (apply): a signer that must sign needs its key or token now.
type purpose int

const (
	forReading purpose = iota
	forWriting
)

func newBackend(ctx context.Context, spec *config.Spec, env *Env, why purpose) (*backend, error) {
	b := &backend{spec: spec}
	// One trace for every provider, so RELCTL_LOG=debug lists each
	// request relctl makes, in the order made.
	trace, err := httplog.FromEnv(env.Getenv, env.Stderr)
	if err != nil {
		return nil, err
	}
	reg, err := oci.New(oci.Options{Insecure: spec.Registry.Insecure, Getenv: env.Getenv, Retry: spec.Retry, UserAgent: userAgent(), Log: trace})
	if err != nil {
		return nil, fmt.Errorf("registry %s: %w", spec.Registry.Host, err)
	}
	b.registry = reg
	// One resolver for the whole run: oci:// dependencies go through the
	// registry client, so through the same credential chain as pushes.
	b.packager = helm.New(helm.Options{
		SourceDateEpoch:  env.Getenv("SOURCE_DATE_EPOCH"),
		CacheDir:         cacheDir(env),
		Retry:            spec.Retry,
		OCI:              reg,
		HTTPClient:       &http.Client{Timeout: 60 * time.Second, Transport: trace.Transport(nil)},
		RepositoryConfig: repositoryConfig(env),
		Registry:         spec.Registry.Repository,
		Siblings:         spec.Charts,
	})

	if spec.Signing.Mode != config.SigningNone && spec.Signing.Mode != "" {
		s, err := cosign.New(ctx, cosign.Options{
			Signing:           spec.Signing,
			Getenv:            env.Getenv,
			Credentials:       reg.Credentials(), // signatures go where charts went, with their credential
			Transport:         reg.Transport(),   // and over the same connections
			Auth:              reg,               // and the same bearer tokens
			Log:               trace,
			AllowHTTPRegistry: spec.Registry.Insecure || oci.IsLoopback(spec.Registry.Host),
			VerifyOnly:        why == forReading,
		})
		if err != nil {
			return nil, fmt.Errorf("signing (mode %q): %w", spec.Signing.Mode, err)
		}
		b.signer = s
	}

	if spec.GitHub != nil {
		token := env.Getenv("GITHUB_TOKEN")
		if token == "" {
			token = env.Getenv("GH_TOKEN")
		}
		if token == "" {
			return nil, errors.New("github: set GITHUB_TOKEN (or GH_TOKEN) to a token that can read and write releases of " + spec.GitHub.Repository)
		}
		gh, err := github.New(github.Options{
			APIURL: env.Getenv("GITHUB_API_URL"),
			Token:  token,
			Owner:  spec.GitHub.Owner,
			Repo:   spec.GitHub.Name,
			Retry:  spec.Retry,
			Log:    trace,
		})
		if err != nil {
			return nil, fmt.Errorf("github: %w", err)
		}
		b.releases = gh
	}
	return b, nil
}

func (b *backend) readers() state.Readers {
	r := state.Readers{Packager: b.packager, Registry: b.registry}
	if b.signer != nil {
		r.Signatures = b.signer
		if b.spec.Signing.Provenance {
			r.Attestations = b.signer
		}
	}
	if b.releases != nil {
		r.Releases = b.releases
		if b.listed != nil {
			r.Releases = listedReleases{b.releases, b.listed}
		}
		r.Lineage = b.releases
		r.Tags = b.releases
		if b.spec.HelmRepository != nil {
			r.Index = b.releases
		}
		if b.signer != nil {
			r.Blobs = blobSignatures{b.releases, b.signer}
		}
	}
	return r
}

// listedReleases is a ReleaseReader that tells listed what it lists.
type listedReleases struct {
	*github.Client
	listed func([]state.Release)
}

func (l listedReleases) ListReleases(ctx context.Context) ([]state.Release, error) {
	rels, err := l.Client.ListReleases(ctx)
	if err == nil {
		l.listed(rels)
	}
	return rels, err
}

// blobSignatures reads a release's signature files from GitHub and verifies
// them with the signer, for state.Refresh.
type blobSignatures struct {
	*github.Client
	*cosign.Signer
}

// gitHubParallelism bounds the charts writing to GitHub at once, of the n
// applied at once: one where writes are paced (github.com asks for
// mutations one after another, and the pacer lets one start a second
// anyway), else all n.
func (b *backend) gitHubParallelism(n int) int {
	if b.releases != nil && b.releases.Paced() {
		return 1
	}
	return n
}

func (b *backend) writers() planner.Writers {
	w := planner.Writers{Registry: b.registry}
	if b.spec.ArtifactHub != nil {
		w.ArtifactHub = b.registry
	}
	if b.signer != nil {
		w.Signer = b.signer
		if b.spec.Signing.Provenance {
			w.Attester = b.signer
		}
	}
	if b.releases != nil {
		w.Releases = b.releases
		if b.spec.HelmRepository != nil {
			w.Index = b.releases
		}
	}
	return w
}

// cacheDir is where dependency indexes and archives are kept between runs:
// RELCTL_CACHE_DIR, else <user cache dir>/relctl ($XDG_CACHE_HOME/relctl);
// "" (no disk cache) when neither is known.
func cacheDir(env *Env) string {
	if d := env.Getenv("RELCTL_CACHE_DIR"); d != "" {
		return d
	}
	if d := env.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "relctl")
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "relctl")
	}
	return ""
}

// repositoryConfig is helm's repositories.yaml, where @name dependencies
// are looked up: HELM_REPOSITORY_CONFIG, else helm's default path.
func repositoryConfig(env *Env) string {
	if p := env.Getenv("HELM_REPOSITORY_CONFIG"); p != "" {
		return p
	}
	return filepath.Join(helmConfigHome(env), "repositories.yaml")
}

// helmConfigHome is helm's configuration folder, found as helm v3's
// helmpath.ConfigPath finds it: HELM_CONFIG_HOME, else
// $XDG_CONFIG_HOME/helm, else the platform's default. It is written out
// rather than imported because helmpath links part of Kubernetes'
// client-go, a module the first build would otherwise download, for the
// home folder ($HOME outside Windows, where helm reads %APPDATA%).
func helmConfigHome(env *Env) string {
	if d := env.Getenv("HELM_CONFIG_HOME"); d != "" {
		return d
	}
	base := env.Getenv("XDG_CONFIG_HOME")
	if base == "" {
		switch runtime.GOOS {
		case "windows":
			base = env.Getenv("APPDATA")
		case "darwin":
			base = filepath.Join(env.Getenv("HOME"), "Library", "Preferences")
		default:
			base = filepath.Join(env.Getenv("HOME"), ".config")
		}
	}
	return filepath.Join(base, "helm")
}
