package provenance

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cyberphone/json-canonicalization/go/src/webpki.org/jsoncanonicalizer"
	slsa "github.com/in-toto/attestation/go/predicates/provenance/v1"
	intoto "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

const (
	// PredicateType is SLSA v1 provenance (cosign's --type slsaprovenance1).
	PredicateType = "https://slsa.dev/provenance/v1"
	// BuildType is relctl's build: a chart folder packaged reproducibly
	// with its dependencies and pushed to an OCI registry. The document
	// it points at describes the parameters below; a change of their
	// meaning gets a new URI.
	BuildType = "https://github.com/relctl/relctl/blob/main/docs/provenance.md#chart-v1"
	// PayloadType is the DSSE payload type of an in-toto statement.
	PayloadType = "application/vnd.in-toto+json"
	// localBuilder is builder.id outside GitHub Actions, where no
	// workflow identifies the builder.
	localBuilder = "https://github.com/relctl/relctl#local"
)

// Inputs are everything a chart's provenance records.
type Inputs struct {
	// Repository is the chart's OCI repository (<registry>/<chart>), and
	// Manifest the manifest digest ("sha256:<hex>"): the subject.
	Repository string
	Manifest   string
	// Chart, Version and Path (the chart folder, relative to the spec)
	// name what was built.
	Chart, Version, Path string
	// SpecPath is the spec file, relative to the spec folder's
	// repository root when known ("relctl.hcl" otherwise), and SpecDigest
	// "sha256:<hex>" of its bytes.
	SpecPath, SpecDigest string
	// PackageCreated is the time stamped on every archive entry (RFC
	// 3339): with the files, it makes the archive's bytes.
	PackageCreated string
	// Source is the repository the chart folder came from ("owner/name"
	// on ServerURL), and Commit the commit built; both may be empty.
	Source, Commit string
	// Dependencies are the archives the package embeds under charts/.
	Dependencies []Dependency
	// Run is the workflow run that builds: runDetails, never compared.
	Run Run
}

// Dependency is one dependency archive in the package.
type Dependency struct {
	Name, Version string
	// URI is where it came from (an archive URL, an oci:// reference, a
	// folder); empty for a chart vendored under charts/.
	URI string
	// Digest is "sha256:<hex>" of the archive.
	Digest string
}

// Run describes the GitHub Actions run, from its environment: empty
// fields outside Actions.
type Run struct {
	// ServerURL is GITHUB_SERVER_URL ("https://github.com" when empty).
	ServerURL string
	// Repository is GITHUB_REPOSITORY, WorkflowRef GITHUB_WORKFLOW_REF
	// ("owner/repo/.github/workflows/x.yaml@refs/heads/main").
	Repository, WorkflowRef string
	// RunID and RunAttempt are GITHUB_RUN_ID and GITHUB_RUN_ATTEMPT.
	RunID, RunAttempt string
	// RelctlVersion is builder.version.relctl.
	RelctlVersion string
}

func (r Run) serverURL() string {
	if r.ServerURL == "" {
		return "https://github.com"
	}
	return strings.TrimSuffix(r.ServerURL, "/")
}

// Statement returns the in-toto v1 statement of in, as canonical JSON
// (RFC 8785: sorted keys, no insignificant space): the payload signed.
func Statement(in Inputs) ([]byte, error) {
	alg, hex, ok := strings.Cut(in.Manifest, ":")
	if !ok || alg != "sha256" || hex == "" {
		return nil, fmt.Errorf("provenance of %s: manifest digest %q is not sha256:<hex>", in.Repository, in.Manifest)
	}
	external, err := structpb.NewStruct(map[string]any{
		"chart": map[string]any{"name": in.Chart, "version": in.Version, "path": in.Path},
		"spec":  map[string]any{"path": in.SpecPath, "digest": digestSet(in.SpecDigest)},
	})
	if err != nil {
		return nil, err
	}
	internal, err := structpb.NewStruct(map[string]any{"packageCreated": in.PackageCreated})
	if err != nil {
		return nil, err
	}
	pred := &slsa.Provenance{
		BuildDefinition: &slsa.BuildDefinition{
			BuildType:            BuildType,
			ExternalParameters:   external,
			InternalParameters:   internal,
			ResolvedDependencies: resolved(in),
		},
		RunDetails: runDetails(in.Run),
	}
	predJSON, err := protojson.Marshal(pred)
	if err != nil {
		return nil, fmt.Errorf("provenance of %s: %w", in.Repository, err)
	}
	predicate := &structpb.Struct{}
	if err := protojson.Unmarshal(predJSON, predicate); err != nil {
		return nil, fmt.Errorf("provenance of %s: %w", in.Repository, err)
	}
	st := &intoto.Statement{
		Type:          intoto.StatementTypeUri,
		Subject:       []*intoto.ResourceDescriptor{{Name: in.Repository, Digest: map[string]string{alg: hex}}},
		PredicateType: PredicateType,
		Predicate:     predicate,
	}
	if err := st.Validate(); err != nil {
		return nil, fmt.Errorf("provenance of %s: %w", in.Repository, err)
	}
	return canonical(st)
}

// canonical encodes m as RFC 8785 JSON. protojson's own output varies in
// whitespace on purpose, from one build of a program to another; the
// canonical form does not.
func canonical(m proto.Message) ([]byte, error) {
	b, err := protojson.Marshal(m)
	if err != nil {
		return nil, err
	}
	return jsoncanonicalizer.Transform(b)
}

// resolved lists the source commit, then each dependency archive, sorted.
func resolved(in Inputs) []*intoto.ResourceDescriptor {
	var out []*intoto.ResourceDescriptor
	if in.Commit != "" || in.Source != "" {
		src := &intoto.ResourceDescriptor{Name: "source"}
		if in.Source != "" {
			src.Uri = "git+" + in.Run.serverURL() + "/" + in.Source
		}
		if in.Commit != "" {
			src.Digest = map[string]string{"gitCommit": in.Commit}
		}
		out = append(out, src)
	}
	deps := append([]Dependency(nil), in.Dependencies...)
	sort.Slice(deps, func(i, j int) bool {
		a, b := deps[i], deps[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Version != b.Version {
			return a.Version < b.Version
		}
		return a.URI < b.URI
	})
	for _, d := range deps {
		// The archive's name inside the package, as helm lays it out.
		rd := &intoto.ResourceDescriptor{Name: "charts/" + d.Name + "-" + d.Version + ".tgz", Uri: d.URI}
		if alg, hex, ok := strings.Cut(d.Digest, ":"); ok {
			rd.Digest = map[string]string{alg: hex}
		}
		rd.Annotations, _ = structpb.NewStruct(map[string]any{"version": d.Version})
		out = append(out, rd)
	}
	return out
}

func runDetails(r Run) *slsa.RunDetails {
	rd := &slsa.RunDetails{Builder: &slsa.Builder{Id: localBuilder}}
	if r.WorkflowRef != "" {
		// GitHub's own convention for a workflow builder.
		rd.Builder.Id = r.serverURL() + "/" + r.WorkflowRef
	}
	if r.RelctlVersion != "" {
		rd.Builder.Version = map[string]string{"relctl": r.RelctlVersion}
	}
	if r.RunID != "" && r.Repository != "" {
		id := r.serverURL() + "/" + r.Repository + "/actions/runs/" + r.RunID
		if r.RunAttempt != "" {
			id += "/attempts/" + r.RunAttempt
		}
		rd.Metadata = &slsa.BuildMetadata{InvocationId: id}
	}
	return rd
}

// digestSet turns "alg:hex" into an in-toto digest set; nil when empty.
func digestSet(d string) map[string]any {
	alg, hex, ok := strings.Cut(d, ":")
	if !ok {
		return nil
	}
	return map[string]any{alg: hex}
}
