package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// The schemas below are the spec language: every block and attribute name is
// part of the public contract (DESIGN.md, "Interface contract"). hcl reports
// anything not listed as "Unsupported argument" or "Unsupported block type"
// with its range.

var rootSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "registry"},
		{Type: "github"},
		{Type: "signing"},
		{Type: "retry"},
		{Type: "charts"},
		{Type: "chart", LabelNames: []string{"name"}},
		{Type: "release"},
		{Type: "helm_repository"},
		{Type: "artifacthub"},
	},
}

// singletonBlocks may appear at most once at the top level.
var singletonBlocks = []string{"registry", "github", "signing", "retry", "charts", "release", "helm_repository", "artifacthub"}

var variableSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "default"},
		{Name: "type"},
		{Name: "description"},
		{Name: "sensitive"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "validation"}},
}

var validationSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "condition", Required: true},
		{Name: "error_message", Required: true},
	},
}

var registrySchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "repository", Required: true},
		{Name: "insecure"},
		{Name: "on_conflict"},
	},
}

var githubSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "repository", Required: true},
		{Name: "make_latest"},
		{Name: "on_asset_conflict"},
		{Name: "update_notes"},
	},
}

var signingSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "mode"},
		{Name: "key"},
		{Name: "public_key"},
		{Name: "fulcio_url"},
		{Name: "rekor_url"},
		{Name: "trusted_root"},
		{Name: "tlog_upload"},
		{Name: "format"},
		{Name: "on_failure"},
		{Name: "provenance"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "identity"}},
}

var identitySchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "issuer"},
		{Name: "subject_regexp"},
	},
}

var retrySchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "attempts"},
		{Name: "min_backoff"},
		{Name: "max_backoff"},
	},
}

var chartsSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "dir"},
		{Name: "only_changed"},
	},
}

var chartSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "path", Required: true},
	},
}

var releaseSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "tag"},
		{Name: "title"},
		{Name: "assets"},
		{Name: "files"},
		{Name: "notes_template"},
		{Name: "atomic"},
		{Name: "lineage"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "asset", LabelNames: []string{"name"}}},
}

var assetSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "required"},
	},
}

// onlyOne reports every block after the first as a duplicate and returns the
// first, or nil when there is none.
func onlyOne(blocks []*hcl.Block) (*hcl.Block, hcl.Diagnostics) {
	if len(blocks) == 0 {
		return nil, nil
	}
	var diags hcl.Diagnostics
	for _, b := range blocks[1:] {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Duplicate %s block", b.Type),
			Detail: fmt.Sprintf("Only one %s block is allowed. Another was defined at %s.",
				b.Type, blocks[0].DefRange),
			Subject: b.DefRange.Ptr(),
		})
	}
	return blocks[0], diags
}

// blockContent decodes a block's body against its schema and groups the
// nested blocks by type.
func blockContent(b *hcl.Block, schema *hcl.BodySchema) (*hcl.BodyContent, map[string][]*hcl.Block, hcl.Diagnostics) {
	content, diags := b.Body.Content(schema)
	nested := map[string][]*hcl.Block{}
	for _, nb := range content.Blocks {
		nested[nb.Type] = append(nested[nb.Type], nb)
	}
	return content, nested, diags
}
