package manifest

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "redraw the icons in app/")

// TestIconsAreTheDrawing keeps the committed PNGs equal, pixel for pixel,
// to what the code draws, so the drawing is the source.
func TestIconsAreTheDrawing(t *testing.T) {
	for name, draw := range map[string]func() *image.NRGBA{
		"color.png":   DrawColorIcon,
		"outline.png": DrawOutlineIcon,
	} {
		path := filepath.Join("app", name)
		want := draw()
		if *update {
			if err := os.WriteFile(path, encodePNG(want), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.Bounds() != want.Bounds() {
			t.Fatalf("%s is %v, the drawing %v (go test ./manifest -run TestIcons -update)", name, got.Bounds(), want.Bounds())
		}
		for y := 0; y < want.Bounds().Dy(); y++ {
			for x := 0; x < want.Bounds().Dx(); x++ {
				if g := color.NRGBAModel.Convert(got.At(x, y)); g != want.NRGBAAt(x, y) {
					t.Fatalf("%s differs from the drawing at (%d,%d): %v, want %v (go test ./manifest -run TestIcons -update)", name, x, y, g, want.NRGBAAt(x, y))
				}
			}
		}
	}
}

func TestIconChecks(t *testing.T) {
	if err := CheckColorIcon(encodePNG(DrawColorIcon())); err != nil {
		t.Errorf("colour icon: %v", err)
	}
	if err := CheckOutlineIcon(encodePNG(DrawOutlineIcon())); err != nil {
		t.Errorf("outline icon: %v", err)
	}
	// The colour icon is opaque: its corner is the accent colour.
	if c := DrawColorIcon().NRGBAAt(0, 0); c != accent {
		t.Errorf("colour icon corner = %v, want the accent %v", c, accent)
	}

	solid := func(size int, c color.NRGBA) []byte {
		img := image.NewNRGBA(image.Rect(0, 0, size, size))
		for i := 0; i < len(img.Pix); i += 4 {
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
		}
		return encodePNG(img)
	}
	blueOutline := DrawOutlineIcon()
	blueOutline.SetNRGBA(16, 4, color.NRGBA{0, 0, 0xFF, 0xFF})
	for _, tc := range []struct {
		name  string
		check func([]byte) error
		data  []byte
		want  string
	}{
		{"outline as colour icon", CheckColorIcon, encodePNG(DrawOutlineIcon()), "is 32×32 pixels; Teams requires 192×192"},
		{"colour icon as outline", CheckOutlineIcon, encodePNG(DrawColorIcon()), "is 192×192 pixels; Teams requires 32×32"},
		{"not a PNG", CheckColorIcon, []byte("GIF89a"), "not a PNG"},
		{"empty colour icon", CheckColorIcon, solid(192, color.NRGBA{}), "every pixel is transparent"},
		{"coloured outline", CheckOutlineIcon, encodePNG(blueOutline), "only white and transparency"},
		{"opaque outline", CheckOutlineIcon, solid(32, white), "background is not transparent"},
		{"empty outline", CheckOutlineIcon, solid(32, color.NRGBA{}), "every pixel is transparent"},
	} {
		err := tc.check(tc.data)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}
