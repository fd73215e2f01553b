package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"
)

const ahID = "7c4a2b1e-3f5d-4a8b-9c0d-1e2f3a4b5c6d"

func TestLoad_artifactHubReadsIDAndOwners(t *testing.T) {
	dir := writeTree(t, withPodinfo(map[string]string{"relctl.hcl": helmRepoBase + `
artifacthub {
  repository_id = "` + ahID + `"
  owners = [{ name = "Ada", email = "ada@acme.io" }, { name = "Bob", email = "bob@acme.io" }]
}
`}))
	got := mustLoad(t, hermetic(LoadOptions{Dir: dir}, nil)).ArtifactHub
	want := &ArtifactHub{RepositoryID: ahID, Owners: []ArtifactHubOwner{{"Ada", "ada@acme.io"}, {"Bob", "bob@acme.io"}}}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreTypes(hcl.Range{})); diff != "" {
		t.Errorf("artifacthub (-want +got):\n%s", diff)
	}
}

func TestLoad_artifactHubAbsentMeansNoMetadata(t *testing.T) {
	dir := writeTree(t, withPodinfo(map[string]string{"relctl.hcl": helmRepoBase}))
	if got := mustLoad(t, hermetic(LoadOptions{Dir: dir}, nil)).ArtifactHub; got != nil {
		t.Errorf("ArtifactHub = %+v, want nil", got)
	}
}

func TestLoad_artifactHubRefusesWhatArtifactHubCannotUse(t *testing.T) {
	for _, tc := range []struct {
		name, block, want string
	}{
		{"missing id", `owners = []`, `Missing required argument`},
		{"id not a uuid", `repository_id = "acme"`, `Invalid artifacthub repository_id`},
		{"owner without email", `repository_id = "` + ahID + `"` + "\nowners = [{ name = \"Ada\", email = \"\" }]", `Invalid artifacthub owner`},
		{"owner email with a display name", `repository_id = "` + ahID + `"` + "\nowners = [{ name = \"Ada\", email = \"Ada <ada@acme.io>\" }]", `Invalid artifacthub owner`},
		{"owner missing email", `repository_id = "` + ahID + `"` + "\nowners = [{ name = \"Ada\" }]", `Incorrect attribute value type`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t, withPodinfo(map[string]string{"relctl.hcl": helmRepoBase + "\nartifacthub {\n" + tc.block + "\n}\n"}))
			p := NewParser()
			spec, diags := p.Load(hermetic(LoadOptions{Dir: dir}, nil))
			if spec != nil || !diags.HasErrors() {
				t.Fatalf("Load accepted %s", tc.block)
			}
			if out := render(t, p, diags); !strings.Contains(out, tc.want) || !strings.Contains(out, "relctl.hcl line") {
				t.Errorf("diagnostics lack %q or the file:\n%s", tc.want, out)
			}
		})
	}
}
