package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
)

// variable is one variable block.
type variable struct {
	name string
	ty   cty.Type
	// literal is true when --var and RELCTL_VAR_ values are taken as plain
	// strings (no type, or type = string) rather than parsed as HCL
	// expressions, exactly as Terraform decides for -var and TF_VAR_.
	literal bool
	// sensitive is `sensitive = true`: the value is marked, so it is used
	// but never shown.
	sensitive   bool
	validations []validation
	declRange   hcl.Range

	val cty.Value
	// source says where val came from, for messages: "its default",
	// "--var", "the RELCTL_VAR_owner environment variable", a file name.
	source string
}

type validation struct {
	condition hcl.Expression
	message   hcl.Expression
}

// variables decodes the variable blocks and assigns each its value with
// Terraform's precedence: default < RELCTL_VAR_<name> < --var-file (in
// order) < --var (in order). It returns the object bound to `var`. A
// variable whose value is missing or invalid is unknown in that object, so
// expressions using it are skipped instead of failing a second time.
func (l *loader) variables(blocks []*hcl.Block, funcs map[string]function.Function) cty.Value {
	vars := map[string]*variable{}
	var order []string
	for _, b := range blocks {
		v := l.declareVariable(b)
		if v == nil {
			continue
		}
		if prev, dup := vars[v.name]; dup {
			l.errorf(b.DefRange.Ptr(), "Duplicate variable declaration",
				"A variable named %q was already declared at %s. Variable names must be unique.", v.name, prev.declRange)
			continue
		}
		vars[v.name] = v
		order = append(order, v.name)
	}

	l.assignFromEnv(vars, order)
	for _, path := range l.opts.VarFiles {
		l.assignFromFile(vars, path)
	}
	for _, raw := range l.opts.Vars {
		l.assignFromFlag(vars, raw)
	}

	obj := map[string]cty.Value{}
	for _, name := range order {
		v := vars[name]
		if v.val == cty.NilVal {
			l.errorf(v.declRange.Ptr(), "No value for required variable",
				"The variable %q has no default value. Set it with --var %s=VALUE, in a --var-file, or with the %s%s environment variable.",
				name, name, EnvVarPrefix, name)
			v.val = cty.DynamicVal
		}
		if v.sensitive {
			l.secrets.remember(v.val)
			v.val = v.val.Mark(sensitive)
		}
		obj[name] = v.val
	}
	ctx := evalContext(cty.ObjectVal(obj), cty.NilVal, funcs)
	for _, name := range order {
		if !l.validateVariable(vars[name], ctx) {
			// A value its own rules reject is unknown from here on, so the
			// spec's uses of it do not report the same mistake again.
			obj[name] = cty.DynamicVal
		}
	}
	return cty.ObjectVal(obj)
}

func (l *loader) declareVariable(b *hcl.Block) *variable {
	content, diags := b.Body.Content(variableSchema)
	l.diags = append(l.diags, diags...)
	name := b.Labels[0]
	if !hclsyntax.ValidIdentifier(name) {
		l.errorf(b.LabelRanges[0].Ptr(), "Invalid variable name",
			"%q is not a valid variable name: a name starts with a letter and holds letters, digits, underscores and dashes.", name)
		return nil
	}
	v := &variable{name: name, ty: cty.DynamicPseudoType, literal: true, declRange: b.DefRange}
	if attr, ok := content.Attributes["type"]; ok {
		ty, diags := typeexpr.TypeConstraint(attr.Expr)
		l.diags = append(l.diags, diags...)
		if !diags.HasErrors() {
			v.ty = ty
			v.literal = hcl.ExprAsKeyword(attr.Expr) == "string"
		}
	}
	if attr, ok := content.Attributes["sensitive"]; ok {
		// A constant, like the type: whether a value may be shown cannot
		// depend on other values.
		val, diags := attr.Expr.Value(nil)
		l.diags = append(l.diags, diags...)
		if conv, err := convert.Convert(val, cty.Bool); !diags.HasErrors() && (err != nil || conv.IsNull()) {
			l.errorf(attr.Expr.Range().Ptr(), "Invalid sensitive value", "sensitive must be true or false.")
		} else if !diags.HasErrors() {
			v.sensitive = conv.True()
		}
	}
	if attr, ok := content.Attributes["default"]; ok {
		// Defaults are constants: no variables, locals or functions,
		// as in Terraform, so they can be read without evaluating anything.
		val, diags := attr.Expr.Value(nil)
		l.diags = append(l.diags, diags...)
		if !diags.HasErrors() {
			if conv, err := convert.Convert(val, v.ty); err != nil {
				l.errorf(attr.Expr.Range().Ptr(), "Invalid default value for variable",
					"This default cannot be used for var.%s: %s.", name, err)
			} else if !conv.IsNull() {
				v.val, v.source = conv, "its default"
			}
			if v.sensitive {
				l.secrets.remember(val)
			}
		}
	}
	for _, vb := range content.Blocks {
		vc, diags := vb.Body.Content(validationSchema)
		l.diags = append(l.diags, diags...)
		if diags.HasErrors() {
			continue
		}
		v.validations = append(v.validations, validation{
			condition: vc.Attributes["condition"].Expr,
			message:   vc.Attributes["error_message"].Expr,
		})
	}
	return v
}

// validateVariable evaluates the variable's validation blocks. A failure
// points at the condition and quotes the spec's own error_message. It
// returns false when a rule failed.
func (l *loader) validateVariable(v *variable, ctx *hcl.EvalContext) bool {
	valid := true
	if !v.val.IsWhollyKnown() {
		return valid
	}
	for _, rule := range v.validations {
		cond, diags := rule.condition.Value(ctx)
		l.diags = append(l.diags, diags...)
		cond, _ = cond.UnmarkDeep()
		if diags.HasErrors() || !cond.IsWhollyKnown() {
			continue
		}
		cond, err := convert.Convert(cond, cty.Bool)
		if err != nil || cond.IsNull() {
			l.errorf(rule.condition.Range().Ptr(), "Invalid validation condition",
				"The condition of a validation rule must be true or false.")
			continue
		}
		if cond.True() {
			continue
		}
		valid = false
		msg := "The value is not valid."
		if m, diags := rule.message.Value(ctx); !diags.HasErrors() && m.IsWhollyKnown() {
			m, marks := m.UnmarkDeep()
			if s, err := convert.Convert(m, cty.String); err == nil && !s.IsNull() {
				msg = s.AsString()
			}
			if hasSensitive(marks) {
				// Terraform's answer: the message exists, its text would
				// show the secret.
				msg = "The error message of this rule includes a sensitive value, so it is not shown."
			}
		}
		l.diags = append(l.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail:   fmt.Sprintf("%s\n\nThe value of var.%s comes from %s.", msg, v.name, v.source),
			Subject:  rule.condition.Range().Ptr(),
		})
	}
	return valid
}
