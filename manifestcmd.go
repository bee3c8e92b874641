package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/mfadesk/mfadesk/manifest"
)

const manifestUsage = `Usage:
  mfadesk manifest build --app-id GUID [options] [--out appPackage.zip]
        build the Teams app package (manifest.json, ja.json, two icons),
        check it against Microsoft's schema and write the zip
  mfadesk manifest check appPackage.zip
        check an app package, for example one edited by hand

Options of build (flags override the environment variables in brackets):
  --app-id GUID        the Azure Bot's Microsoft App ID [MicrosoftAppId]
  --name NAME          the app's name, at most 30 characters (default "MFA Desk")
  --name-ja NAME       the name Japanese Teams shows (default: --name)
  --version X.Y.Z      the package version; raise it for every update (default 1.0.0)
  --domain HOST        the bot's host name, as in its messaging endpoint; repeatable
                       [MANIFEST_DOMAINS, comma-separated]
  --developer NAME     your organisation, shown as the publisher [MANIFEST_DEVELOPER]
  --website-url URL    [MANIFEST_WEBSITE_URL]  default https://HOST/
  --privacy-url URL    [MANIFEST_PRIVACY_URL]  default https://HOST/privacy
  --terms-url URL      [MANIFEST_TERMS_URL]    default https://HOST/terms
                       (HOST is the first --domain; the bot serves those pages)
  --color-icon FILE    your own 192×192 PNG instead of the built-in icon
  --outline-icon FILE  your own 32×32 white-on-transparent PNG
  --out FILE           where to write the zip (default appPackage.zip)
`

func manifestCommand(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, manifestUsage)
		return 2
	}
	switch args[0] {
	case "build":
		return manifestBuild(args[1:], getenv, stdout, stderr)
	case "check":
		if len(args) != 2 {
			fmt.Fprint(stderr, manifestUsage)
			return 2
		}
		data, err := os.ReadFile(args[1])
		if err != nil {
			fmt.Fprintln(stderr, "mfadesk:", err)
			return 1
		}
		if err := manifest.Check(data); err != nil {
			fmt.Fprintln(stderr, "mfadesk:", args[1]+":", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s: a valid Teams app package (manifest version %s)\n", args[1], manifest.SchemaVersion)
		return 0
	}
	fmt.Fprintf(stderr, "mfadesk manifest: unknown command %q\n\n%s", args[0], manifestUsage)
	return 2
}

// listFlag collects a repeatable flag; commas separate values too.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

func manifestBuild(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("manifest build", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, manifestUsage) }
	var o manifest.Options
	var domains listFlag
	var colorIcon, outlineIcon string
	fs.StringVar(&o.AppID, "app-id", getenv("MicrosoftAppId"), "")
	fs.StringVar(&o.Name, "name", "", "")
	fs.StringVar(&o.NameJA, "name-ja", "", "")
	fs.StringVar(&o.Version, "version", "", "")
	fs.Var(&domains, "domain", "")
	fs.StringVar(&o.Developer, "developer", getenv("MANIFEST_DEVELOPER"), "")
	fs.StringVar(&o.WebsiteURL, "website-url", getenv("MANIFEST_WEBSITE_URL"), "")
	fs.StringVar(&o.PrivacyURL, "privacy-url", getenv("MANIFEST_PRIVACY_URL"), "")
	fs.StringVar(&o.TermsURL, "terms-url", getenv("MANIFEST_TERMS_URL"), "")
	fs.StringVar(&colorIcon, "color-icon", "", "")
	fs.StringVar(&outlineIcon, "outline-icon", "", "")
	out := fs.String("out", "appPackage.zip", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if strings.TrimSpace(*out) == "" {
		fmt.Fprintln(stderr, "mfadesk manifest build: --out is empty: give the zip's file name, like appPackage.zip")
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mfadesk manifest build: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if len(domains) == 0 {
		domains.Set(getenv("MANIFEST_DOMAINS"))
	}
	o.Domains = domains
	for _, icon := range []struct {
		path string
		dst  *[]byte
	}{{colorIcon, &o.ColorIcon}, {outlineIcon, &o.OutlineIcon}} {
		if icon.path == "" {
			continue
		}
		data, err := os.ReadFile(icon.path)
		if err != nil {
			fmt.Fprintln(stderr, "mfadesk manifest build:", err)
			return 2
		}
		*icon.dst = data
	}

	p, err := manifest.Build(o)
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk manifest build:", err)
		return 2
	}
	if err := writeFileAtomic(*out, p.Zip); err != nil {
		fmt.Fprintln(stderr, "mfadesk manifest build:", err)
		return 1
	}
	for _, w := range p.Warnings {
		fmt.Fprintln(stderr, "warning:", w)
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes): checked against Microsoft's manifest schema v%s\n", *out, len(p.Zip), manifest.SchemaVersion)
	return 0
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it into place, so a failure never leaves a half-written package.
func writeFileAtomic(path string, data []byte) error {
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return fmt.Errorf("%s is a directory: give a file name, like %s", path, filepath.Join(path, "appPackage.zip"))
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".appPackage-*.zip")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, errors.Unwrap(err))
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	err = errors.Join(werr, cerr)
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}
