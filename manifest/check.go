package manifest

import (
	"archive/zip"
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// schemas are Microsoft's JSON schemas for the manifest version the
// template uses, copied unchanged from the npm package
// @microsoft/app-manifest (see schema/README.md).
//
//go:embed schema/*.json
var schemas embed.FS

// The schemas' canonical addresses, which manifests name in "$schema".
const (
	SchemaVersion      = "1.30"
	schemaBase         = "https://developer.microsoft.com/json-schemas/teams/v" + SchemaVersion + "/"
	ManifestSchemaURL  = schemaBase + "MicrosoftTeams.schema.json"
	LocalizationSchema = schemaBase + "MicrosoftTeams.Localization.schema.json"
)

// Teams' limits for bot commands, stricter than the schema's (which allows
// 128 and 4000): longer ones are cut off in the command menu and refused by
// the Teams store's validation.
const (
	maxCommandTitle       = 32
	maxCommandDescription = 128
)

// Localisation files' limits. The schema states them next to a $ref, which
// draft-04 validators ignore, so they are checked here.
var localizedLimits = map[string]int{
	"name.short": 30, "name.full": 100, "description.short": 80, "description.full": 4000,
}

// maxPackageSize is far above any real package; it bounds what Check reads.
const maxPackageSize = 10 << 20

// Check validates an app package: manifest.json against Microsoft's schema,
// each localisation file against its schema, the icons' sizes and colours,
// and Teams' rules the schemas leave out. The error lists every problem.
func Check(pkg []byte) error {
	files, err := readZip(pkg)
	if err != nil {
		return err
	}
	var problems []string
	add := func(file string, err error) {
		if err != nil {
			problems = append(problems, file+": "+err.Error())
		}
	}

	raw, ok := files[manifestFile]
	if !ok {
		return errors.New("the package has no manifest.json at its root")
	}
	add(manifestFile, validateSchema(ManifestSchemaURL, raw))
	var m appManifest
	if err := json.Unmarshal(raw, &m); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return fmt.Errorf("%s: not valid JSON: %w", manifestFile, err)
		}
		// A value of the wrong type: the schema problems above name it;
		// the rest of the manifest decoded and is checked below.
	}
	if m.ManifestVersion != SchemaVersion {
		add(manifestFile, fmt.Errorf("manifestVersion is %q; this tool checks version %s", m.ManifestVersion, SchemaVersion))
	}
	if !versionFormat.MatchString(m.Version) {
		add(manifestFile, fmt.Errorf("version %q is not MAJOR.MINOR.PATCH", m.Version))
	}
	for _, b := range m.Bots {
		for i, l := range b.CommandLists {
			for j, c := range l.Commands {
				add(manifestFile, checkCommand(fmt.Sprintf("commandLists[%d].commands[%d]", i, j), c.Title, c.Description))
			}
		}
	}

	for _, icon := range []struct {
		path  string
		check func([]byte) error
	}{{m.Icons.Color, CheckColorIcon}, {m.Icons.Outline, CheckOutlineIcon}} {
		data, ok := files[icon.path]
		if !ok {
			add(manifestFile, fmt.Errorf("icon %q is not in the package", icon.path))
			continue
		}
		add(icon.path, icon.check(data))
	}

	for _, l := range m.LocalizationInfo.AdditionalLanguages {
		data, ok := files[l.File]
		if !ok {
			add(manifestFile, fmt.Errorf("the %s localisation %q is not in the package", l.LanguageTag, l.File))
			continue
		}
		for _, err := range checkLocalization(data, m) {
			add(l.File, err)
		}
	}

	if len(problems) > 0 {
		return fmt.Errorf("the app package is not valid:\n  - %s", strings.Join(problems, "\n  - "))
	}
	return nil
}

// readZip returns the package's files by name. Teams reads only files at
// the root, so a folder in the zip is an error.
func readZip(pkg []byte) (map[string][]byte, error) {
	if len(pkg) > maxPackageSize {
		return nil, fmt.Errorf("the package is %d bytes: too large for an app package", len(pkg))
	}
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		return nil, fmt.Errorf("not a zip file: %w", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "__MACOSX/") || f.Name == ".DS_Store" {
			return nil, fmt.Errorf("%q was added by macOS Finder's Compress: make the zip with \"zip -X appPackage.zip manifest.json ja.json color.png outline.png\" or \"mfadesk manifest build\"", f.Name)
		}
		if strings.Contains(f.Name, "/") || strings.Contains(f.Name, `\`) {
			return nil, fmt.Errorf("%q is in a folder: Teams reads only files at the zip's root (zip the files, not their folder)", f.Name)
		}
		if _, dup := files[f.Name]; dup {
			return nil, fmt.Errorf("%q is in the zip twice", f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		data, err := io.ReadAll(io.LimitReader(rc, maxPackageSize+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		if len(data) > maxPackageSize {
			return nil, fmt.Errorf("%s: too large", f.Name)
		}
		files[f.Name] = data
	}
	return files, nil
}

// checkLocalization checks a localisation file against its schema, the
// lengths the schema cannot enforce, and that each key names something the
// manifest has.
func checkLocalization(data []byte, m appManifest) []error {
	var errs []error
	if err := validateSchema(LocalizationSchema, data); err != nil {
		errs = append(errs, err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return append(errs, err)
	}
	// Translations are strings; other fields (localizationKeys) are left
	// to the schema.
	strs := map[string]string{}
	for k, raw := range fields {
		var v string
		if json.Unmarshal(raw, &v) == nil {
			strs[k] = v
		}
	}
	if s := strs["$schema"]; s != "" && s != LocalizationSchema {
		errs = append(errs, fmt.Errorf("$schema is %q; the manifest's version needs %s", s, LocalizationSchema))
	}
	for _, k := range slices.Sorted(maps.Keys(strs)) {
		v := strs[k]
		if max, ok := localizedLimits[k]; ok && utf8.RuneCountInString(v) > max {
			errs = append(errs, fmt.Errorf("%s is %d characters long: at most %d", k, utf8.RuneCountInString(v), max))
		}
		if sub := commandKey.FindStringSubmatch(k); sub != nil {
			list, _ := strconv.Atoi(sub[1])
			cmd, _ := strconv.Atoi(sub[2])
			if len(m.Bots) == 0 || list >= len(m.Bots[0].CommandLists) || cmd >= len(m.Bots[0].CommandLists[list].Commands) {
				errs = append(errs, fmt.Errorf("%s translates a command the manifest does not have", k))
				continue
			}
			if sub[3] == "title" {
				errs = append(errs, checkCommand(k, v, ""))
			} else {
				errs = append(errs, checkCommand(k, "-", v))
			}
		}
	}
	return errs
}

var commandKey = regexp.MustCompile(`^bots\[0\]\.commandLists\[(\d+)\]\.commands\[(\d+)\]\.(title|description)$`)

func checkCommand(where, title, description string) error {
	switch {
	case strings.TrimSpace(title) == "":
		return fmt.Errorf("%s: the title is empty", where)
	case utf8.RuneCountInString(title) > maxCommandTitle:
		return fmt.Errorf("%s: the title %q is longer than %d characters", where, title, maxCommandTitle)
	case utf8.RuneCountInString(description) > maxCommandDescription:
		return fmt.Errorf("%s: the description is longer than %d characters", where, maxCommandDescription)
	}
	return nil
}

// validateSchema validates doc against the embedded schema at url.
func validateSchema(url string, doc []byte) error {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	// The schemas' patterns are ECMAScript (one uses a lookahead), which
	// Go's regexp does not speak.
	c.UseRegexpEngine(ecmaRegexp)
	for _, name := range []string{"MicrosoftTeams.schema.json", "MicrosoftTeams.Localization.schema.json"} {
		data, err := schemas.ReadFile("schema/" + name)
		if err != nil {
			return err
		}
		s, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("schema %s: %w", name, err)
		}
		if err := c.AddResource(schemaBase+name, s); err != nil {
			return fmt.Errorf("schema %s: %w", name, err)
		}
	}
	sch, err := c.Compile(url)
	if err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("not valid JSON: %w", err)
	}
	if err := sch.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return schemaProblems(ve)
		}
		return err
	}
	return nil
}

// schemaProblems flattens a validation error tree to one line per failed
// leaf: where in the document, and what is wrong.
func schemaProblems(ve *jsonschema.ValidationError) error {
	p := message.NewPrinter(language.English)
	var lines []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			lines = append(lines, fmt.Sprintf("at /%s: %s", strings.Join(e.InstanceLocation, "/"), e.ErrorKind.LocalizedString(p)))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return fmt.Errorf("does not match Microsoft's schema (v%s): %s", SchemaVersion, strings.Join(lines, "; "))
}

// ecmaRegexp compiles schema patterns with ECMAScript semantics.
func ecmaRegexp(s string) (jsonschema.Regexp, error) {
	re, err := regexp2.Compile(s, regexp2.ECMAScript)
	if err != nil {
		return nil, err
	}
	return ecmaPattern{re}, nil
}

type ecmaPattern struct{ re *regexp2.Regexp }

func (p ecmaPattern) MatchString(s string) bool {
	ok, err := p.re.MatchString(s)
	return err == nil && ok
}

func (p ecmaPattern) String() string { return p.re.String() }
