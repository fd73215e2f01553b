package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/planner"
	"github.com/relctl/relctl/providers/cosign"
	"github.com/relctl/relctl/providers/helm"
	"github.com/relctl/relctl/providers/oci"
	"github.com/relctl/relctl/state"
)

func validateCmd(g *globals, env *Env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check relctl.hcl and the charts it names, offline",
		Long: `Check relctl.hcl and the charts it names, offline.

Besides the spec, validate runs every check plan makes before its first
request: signing is set up as plan sets it up (a KMS key is not read), each
chart is packaged as plan packages it (helm's loader: symlinks out of the
chart, files over helm's size limit, dependencies not vendored), its release
assets and files are read and its release notes rendered.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := g.dir()
			if err != nil {
				return exitWith(exitError, err)
			}
			p := config.NewParser()
			spec, diags := p.Load(config.LoadOptions{Dir: dir, Vars: g.vars, VarFiles: g.varFiles, Getenv: env.Getenv, Environ: env.Environ})
			if spec != nil {
				diags = append(diags, planChecks(cmd.Context(), spec, env)...)
			}
			if asJSON {
				return writeValidateJSON(env, p, diags)
			}
			if len(diags) > 0 {
				if err := p.WriteDiagnostics(env.Stderr, diags, g.style(env).Color); err != nil {
					return exitWith(exitError, err)
				}
			}
			if diags.HasErrors() {
				return exitWith(exitError, nil)
			}
			fmt.Fprintln(env.Stdout, g.style(env).Green("Success!")+" The configuration is valid.")
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print diagnostics in the versioned JSON format")
	return cmd
}

func writeValidateJSON(env *Env, p *config.Parser, diags hcl.Diagnostics) error {
	out := struct {
		FormatVersion string              `json:"format_version"`
		Valid         bool                `json:"valid"`
		ErrorCount    int                 `json:"error_count"`
		WarningCount  int                 `json:"warning_count"`
		Diagnostics   []config.Diagnostic `json:"diagnostics"`
	}{FormatVersion: planner.FormatVersion, Valid: !diags.HasErrors(), Diagnostics: p.DiagnosticsJSON(diags)}
	out.ErrorCount = len(diags.Errs())
	out.WarningCount = len(diags) - out.ErrorCount
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return exitWith(exitError, fmt.Errorf("write the diagnostics: %w", err))
	}
	if !out.Valid {
		return exitWith(exitError, nil)
	}
	return nil
}

// planChecks runs plan's own observation and planning for each chart
// against a remote that holds nothing, so that every refusal plan can make
// without asking the network comes from the same code, with the same words.
// Each chart is checked alone: one chart's problem does not hide another's.
func planChecks(ctx context.Context, spec *config.Spec, env *Env) hcl.Diagnostics {
	readers := state.Readers{
		// Offline: dependencies come from Chart.lock, charts/ and sibling
		// folders only; what would need a repository is not fetched.
		Packager: helm.New(helm.Options{
			SourceDateEpoch:  env.Getenv("SOURCE_DATE_EPOCH"),
			Offline:          true,
			RepositoryConfig: repositoryConfig(env),
			Registry:         spec.Registry.Repository,
			Siblings:         spec.Charts,
		}),
		Registry: nothingPublished{},
	}
	if spec.GitHub != nil {
		readers.Releases = nothingPublished{}
	}
	var diags hcl.Diagnostics
	if err := checkSigning(ctx, spec, env); err != nil {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Signing cannot be set up", Detail: err.Error(), Subject: spec.Signing.DeclRange.Ptr()})
	}
	for _, c := range spec.Charts {
		one := *spec
		one.Charts = []config.Chart{c}
		at := c.DeclRange.Ptr()
		snap, err := state.Refresh(ctx, &one, readers, state.RefreshOptions{Parallelism: 1})
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Chart " + c.Name + " cannot be planned", Detail: err.Error(), Subject: at})
			continue
		}
		plan, err := planner.Plan(&one, snap, planner.Options{RelctlVersion: version()})
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Chart " + c.Name + " cannot be planned", Detail: err.Error(), Subject: at})
			continue
		}
		for _, b := range plan.Blocked() {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Blocked change", Detail: b.Address + ": " + b.Reason, Subject: at})
		}
	}
	return append(diags, dependencyDiagnostics(spec, env, diags)...)
}

// checkSigning sets up signing as plan does (it only verifies): the public
// key is read, or the private key with COSIGN_PASSWORD when there is no
// public one. A KMS key is not read, since reading it is a request; that
// this binary has its provider is checked.
func checkSigning(ctx context.Context, spec *config.Spec, env *Env) error {
	s := spec.Signing
	if s.Mode == config.SigningNone || s.Mode == "" {
		return nil
	}
	if isRemoteKey(s.Key) || isRemoteKey(s.PublicKey) {
		for _, ref := range []string{s.Key, s.PublicKey} {
			if err := cosign.CheckKeyProvider(ref); err != nil {
				return fmt.Errorf("signing (mode %q): key %s: %w", s.Mode, ref, err)
			}
		}
		return nil
	}
	_, err := cosign.New(ctx, cosign.Options{Signing: s, Getenv: env.Getenv, VerifyOnly: true})
	if err != nil {
		return fmt.Errorf("signing (mode %q): %w", s.Mode, err)
	}
	return nil
}

// isRemoteKey is a key reference cosign resolves with a request (a KMS).
func isRemoteKey(ref string) bool {
	return strings.Contains(ref, "://") && !strings.HasPrefix(ref, "env://")
}

// errOffline answers what validate must never ask.
var errOffline = errors.New("validate works offline")

// nothingPublished is the remote as validate sees it: no registry tag, no
// release. Manifest digests are computed locally, as the registry client
// computes them.
type nothingPublished struct{}

func (nothingPublished) Resolve(context.Context, string, string) (string, error) {
	return "", state.ErrNotFound
}

func (nothingPublished) FetchChart(context.Context, string, string) ([]byte, error) {
	return nil, errOffline
}

func (nothingPublished) ManifestDigest(pkg *state.Package) (string, error) {
	_, desc, err := oci.ManifestFor(pkg)
	if err != nil {
		return "", err
	}
	return desc.Digest.String(), nil
}

func (nothingPublished) ListReleases(context.Context) ([]state.Release, error) { return nil, nil }

func (nothingPublished) AssetDigest(context.Context, int64) (string, error) { return "", errOffline }
