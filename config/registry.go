package config

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

var (
	// registryHostRe is a registry host as the distribution reference
	// grammar reads one: a dotted domain, "localhost", an IPv6 literal, or
	// any host with a port. A first element without any of these ("acme"
	// in "acme/charts") would be read by tools as a Docker Hub namespace,
	// so it is refused rather than guessed at.
	registryHostRe = regexp.MustCompile(`^(localhost|\[[0-9a-fA-F:.]+\]|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+)(:[0-9]+)?$|^[a-z0-9]([a-z0-9-]*[a-z0-9])?:[0-9]+$`)
	// ociComponentRe is one path component of an OCI repository name
	// (OCI distribution spec, "Pulling manifests": <name>).
	ociComponentRe = regexp.MustCompile(`^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$`)
	// githubRepoRe is owner/name: owners are letters, digits and dashes;
	// repository names also allow "." and "_".
	githubRepoRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$`)
)

// registry decodes the registry block.
func (l *loader) registry(b *hcl.Block) Registry {
	content, _, diags := blockContent(b, registrySchema)
	l.diags = append(l.diags, diags...)
	r := l.attrReader(content.Attributes, b.DefRange)
	reg := Registry{
		Insecure:   r.boolean("insecure", false),
		OnConflict: ConflictPolicy(r.enum("on_conflict", string(ConflictFail), string(ConflictFail), string(ConflictSkip), string(ConflictOverwrite))),
		DeclRange:  b.DefRange,
	}
	repo := r.str("repository", "")
	if r.ok("repository") {
		reg.Repository, reg.Host = l.checkRepository(repo, r.rangeOf("repository"))
	}
	return reg
}

// checkRepository validates an OCI repository prefix and splits off its
// host. It returns empty strings after reporting a problem.
func (l *loader) checkRepository(repo string, at *hcl.Range) (string, string) {
	const summary = "Invalid registry repository"
	if scheme, _, ok := strings.Cut(repo, "://"); ok {
		l.errorf(at, summary,
			"Drop the %q prefix: repository is a reference such as \"ghcr.io/acme/charts\", without a scheme; relctl speaks the OCI protocol to it already.",
			scheme+"://")
		return "", ""
	}
	if repo != strings.ToLower(repo) {
		l.errorf(at, summary,
			"%q has upper-case letters, but GHCR and OCI repository names must be lowercase. Use lower(), for example:\n\n  repository = \"ghcr.io/${lower(var.owner)}/charts\"",
			repo)
		return "", ""
	}
	repo = strings.TrimSuffix(repo, "/")
	parts := strings.Split(repo, "/")
	host := parts[0]
	if !registryHostRe.MatchString(host) {
		l.errorf(at, summary,
			"%q does not start with a registry host: the first element must be a host such as ghcr.io or localhost:5000.", repo)
		return "", ""
	}
	for _, c := range parts[1:] {
		if !ociComponentRe.MatchString(c) {
			l.errorf(at, summary,
				"%q is not a valid OCI repository: the path element %q must be lowercase letters and digits separated by \".\", \"_\", \"__\" or dashes. A tag or digest does not belong here: each chart is tagged with its version.",
				repo, c)
			return "", ""
		}
	}
	return repo, host
}

// github decodes the optional github block; nil when absent.
func (l *loader) github(b *hcl.Block) *GitHub {
	if b == nil {
		return nil
	}
	content, _, diags := blockContent(b, githubSchema)
	l.diags = append(l.diags, diags...)
	r := l.attrReader(content.Attributes, b.DefRange)
	gh := &GitHub{
		// make_latest defaults to false: chart releases must not take the
		// "Latest" badge from the application's own releases.
		MakeLatest:      r.boolean("make_latest", false),
		OnAssetConflict: AssetConflictPolicy(r.enum("on_asset_conflict", string(AssetConflictFail), string(AssetConflictFail), string(AssetConflictReplace))),
		UpdateNotes:     r.boolean("update_notes", true),
		DeclRange:       b.DefRange,
	}
	repo := r.str("repository", "")
	if !r.ok("repository") {
		return gh
	}
	if !githubRepoRe.MatchString(repo) || strings.HasSuffix(repo, "/.") || strings.HasSuffix(repo, "/..") {
		l.errorf(r.rangeOf("repository"), "Invalid GitHub repository",
			"%q is not a GitHub repository: write exactly owner/name, for example \"acme/charts\".", repo)
		return gh
	}
	gh.Repository = repo
	gh.Owner, gh.Name, _ = strings.Cut(repo, "/")
	return gh
}

// describeBlock names a block for messages: `chart "podinfo"`, `charts`.
func describeBlock(b *hcl.Block) string {
	s := b.Type
	for _, label := range b.Labels {
		s += fmt.Sprintf(" %q", label)
	}
	return s
}
