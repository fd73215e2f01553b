package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/naming"
	"github.com/relctl/relctl/providers/cosign"
	"github.com/relctl/relctl/providers/github"
	"github.com/relctl/relctl/providers/helm"
	"github.com/relctl/relctl/providers/oci"
	"github.com/relctl/relctl/state"
)

// Baseline publishes every chart of the workspace the way the seed's bash
// loop does (/work/shared/seed, phases 8.6 and 8.7), through relctl's own
// provider clients: for each chart in turn, package, push, sign the
// manifest, sign the archive, create the release, upload each asset. It
// checks nothing first, so it runs once on an empty repository: the
// registry path <owner>/baseline and the GitHub repository BaselineRepo.
//
// It runs in this process: CPU counts the servers' work too, and peak RSS is
// not reported.
func Baseline(ctx context.Context, sb *Sandbox, ws *Workspace, home string) (Run, error) {
	env := map[string]string{
		"COSIGN_PASSWORD": keyPassword,
		"DOCKER_CONFIG":   filepath.Join(home, ".docker"),
		"HOME":            home,
	}
	if !ws.Git {
		env["SOURCE_DATE_EPOCH"] = "1767225600"
	}
	if sb.RegistryUsername != "" {
		env["RELCTL_REGISTRY_USERNAME"], env["RELCTL_REGISTRY_PASSWORD"] = sb.RegistryUsername, sb.RegistryPassword
	}
	getenv := func(k string) string { return env[k] }
	spec, diags := config.NewParser().Load(config.LoadOptions{Dir: ws.Dir, Getenv: getenv, Environ: func() []string { return nil }})
	if diags.HasErrors() {
		return Run{}, fmt.Errorf("load %s: %s", ws.Dir, diags.Error())
	}
	packager := helm.New(helm.Options{SourceDateEpoch: env["SOURCE_DATE_EPOCH"]})
	registry, err := oci.New(oci.Options{Getenv: getenv})
	if err != nil {
		return Run{}, err
	}
	signer, err := cosign.New(ctx, cosign.Options{Signing: spec.Signing, Getenv: getenv, AllowHTTPRegistry: true})
	if err != nil {
		return Run{}, err
	}
	releases, err := github.New(github.Options{APIURL: sb.GitHubURL, Token: sb.Token, Owner: Owner, Repo: BaselineRepo})
	if err != nil {
		return Run{}, err
	}
	repository := spec.Registry.Host + "/" + Owner + "/" + BaselineRepo

	sb.Take()
	cpu0 := cpuTime()
	start := time.Now()
	for _, c := range spec.Charts {
		if err := seedPublish(ctx, c, repository+"/"+c.Name, packager, registry, signer, releases); err != nil {
			return Run{}, fmt.Errorf("baseline %s: %w", c.Name, err)
		}
	}
	return Run{
		Scenario: "baseline first publish",
		Charts:   len(spec.Charts),
		Wall:     time.Since(start),
		CPU:      cpuTime() - cpu0,
		Traffic:  sb.Take(),
	}, nil
}

// seedPublish is one turn of the seed's loop.
func seedPublish(ctx context.Context, c config.Chart, repo string, p *helm.Packager, reg *oci.Client, s *cosign.Signer, gh *github.Client) error {
	pkg, err := p.Package(ctx, c) // helm package
	if err != nil {
		return err
	}
	digest, err := reg.Push(ctx, repo, naming.OCITag(c.Version), pkg) // helm push
	if err != nil {
		return err
	}
	if err := s.SignManifest(ctx, repo, digest); err != nil { // cosign sign
		return err
	}
	sig, err := s.SignBlob(ctx, pkg.Archive) // cosign sign-blob
	if err != nil {
		return err
	}
	lineage, err := json.MarshalIndent(map[string]any{
		"chart": c.Name, "version": c.Version, "tag": c.Tag, "digest": digest,
		"attestations": []string{},
	}, "", "  ")
	if err != nil {
		return err
	}
	assets := []struct {
		name string
		data []byte
	}{
		{pkg.FileName, pkg.Archive},
		{pkg.FileName + ".sig", sig.Signature},
		{c.Name + "-attestation-lineage.json", lineage},
	}
	for _, f := range []string{"CHANGELOG.md", "README.md", "LICENSE"} {
		b, err := os.ReadFile(filepath.Join(c.Dir, f))
		if err != nil {
			return err
		}
		assets = append(assets, struct {
			name string
			data []byte
		}{f, b})
	}
	// gh release create TAG --title … --notes … FILES…: the release, then
	// one upload per file.
	rel, err := gh.CreateRelease(ctx, state.ReleaseSpec{TagName: c.Tag, TargetCommitish: "main", Name: c.Title, Body: "Release " + c.Version})
	if err != nil {
		return err
	}
	for _, a := range assets {
		if _, err := gh.UploadAsset(ctx, rel.ID, a.name, bytes.NewReader(a.data), int64(len(a.data))); err != nil {
			return fmt.Errorf("upload %s: %w", a.name, err)
		}
	}
	return nil
}

// cpuTime is this process's user + system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
