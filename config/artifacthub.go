package config

import (
	"net/mail"
	"regexp"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// ArtifactHub is the artifacthub block: the repository metadata Artifact Hub
// reads to link a listed repository to its owners (verified publisher,
// ownership claim). relctl publishes it on the registry, in each chart's
// repository under the tag "artifacthub.io".
type ArtifactHub struct {
	// RepositoryID is the repository's ID in Artifact Hub (a UUID, shown in
	// the repository's settings there).
	RepositoryID string
	Owners       []ArtifactHubOwner
	DeclRange    hcl.Range
}

// ArtifactHubOwner is one owner Artifact Hub may grant the repository to.
type ArtifactHubOwner struct {
	Name  string
	Email string
}

var artifactHubSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "repository_id", Required: true},
		{Name: "owners"},
	},
}

// uuidPattern is Artifact Hub's repository ID: a UUID in its usual textual
// form, which is how Artifact Hub shows it.
var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

var ownerType = cty.Object(map[string]cty.Type{"name": cty.String, "email": cty.String})

// artifactHub decodes the optional artifacthub block; nil when absent.
func (l *loader) artifactHub(b *hcl.Block) *ArtifactHub {
	if b == nil {
		return nil
	}
	content, _, diags := blockContent(b, artifactHubSchema)
	l.diags = append(l.diags, diags...)
	r := l.attrReader(content.Attributes, b.DefRange)
	ah := &ArtifactHub{RepositoryID: r.str("repository_id", ""), DeclRange: b.DefRange}
	if r.ok("repository_id") && !uuidPattern.MatchString(ah.RepositoryID) {
		l.errorf(r.rangeOf("repository_id"), "Invalid artifacthub repository_id",
			"%q is not an Artifact Hub repository ID: copy the UUID from the repository's settings in Artifact Hub, for example \"7c4a2b1e-3f5d-4a8b-9c0d-1e2f3a4b5c6d\".", ah.RepositoryID)
	}
	e := r.get("owners", cty.List(ownerType))
	if !e.ok {
		return ah
	}
	for it := e.val.ElementIterator(); it.Next(); {
		_, v := it.Element()
		if v.IsNull() {
			l.errorf(r.rangeOf("owners"), "Invalid artifacthub owner", "An owner is null: write { name = \"…\", email = \"…\" }.")
			continue
		}
		name, email := v.GetAttr("name"), v.GetAttr("email")
		o := ArtifactHubOwner{}
		if !name.IsNull() {
			o.Name = name.AsString()
		}
		if !email.IsNull() {
			o.Email = email.AsString()
		}
		// Artifact Hub matches owners to its users by email: an owner
		// without a usable address can never claim the repository.
		if a, err := mail.ParseAddress(o.Email); err != nil || a.Address != o.Email {
			l.errorf(r.rangeOf("owners"), "Invalid artifacthub owner",
				"The email of owner %q, %q, is not a plain email address (name@example.com): Artifact Hub matches owners to its users by it.", o.Name, o.Email)
			continue
		}
		ah.Owners = append(ah.Owners, o)
	}
	return ah
}
