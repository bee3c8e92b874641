package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
)

// Teams' icon sizes: the colour icon is shown in the store and the app bar,
// the outline icon in the narrow app bar on the left.
const (
	ColorIconSize   = 192
	OutlineIconSize = 32
)

// accent is the app's colour: the colour icon's background and the
// manifest's accentColor.
var accent = color.NRGBA{0x1D, 0x4F, 0x91, 0xFF}

// AccentColor is accent as the manifest writes it.
var AccentColor = fmt.Sprintf("#%02X%02X%02X", accent.R, accent.G, accent.B)

// The icons are drawn here, not stored as artwork: a shield (sign-in
// security) with a check mark (verified), white on the accent colour for the
// colour icon and a white outline on transparency for the outline icon. The
// PNG files in app/ are this drawing; TestIconsAreTheDrawing keeps them so,
// and "go test ./manifest -run TestIcons -update" rewrites them.

// shield describes a heraldic shield: straight sides from the top down to
// shoulder, then curving in to a point at the bottom.
type shield struct {
	cx, top     float64 // centre line and top edge, in pixels
	halfWidth   float64
	height      float64
	shoulder    float64 // fraction of the height where the sides start to curve
	cornerRound float64 // radius of the top corners, in pixels
}

// contains reports whether pixel-space point (x, y) is inside the shield.
func (s shield) contains(x, y float64) bool {
	v := (y - s.top) / s.height
	if v < 0 || v > 1 {
		return false
	}
	half := s.halfWidth
	if v > s.shoulder {
		t := (v - s.shoulder) / (1 - s.shoulder)
		half *= math.Pow(1-t*t, 0.75)
	}
	dx := math.Abs(x - s.cx)
	if dx > half {
		return false
	}
	// Round the two top corners.
	r := s.cornerRound
	if cy := s.top + r; y < cy && dx > s.halfWidth-r {
		ex, ey := dx-(s.halfWidth-r), cy-y
		return ex*ex+ey*ey <= r*r
	}
	return true
}

// inset returns the shield shrunk by d pixels on every side, for an outline.
func (s shield) inset(d float64) shield {
	// The point is sharper than the sides: inset it further so the stroke
	// looks even.
	return shield{
		cx: s.cx, top: s.top + d,
		halfWidth: s.halfWidth - d, height: s.height - d*2.6,
		shoulder: s.shoulder, cornerRound: math.Max(s.cornerRound-d, 0),
	}
}

// stroke is a polyline with round joins and caps.
type stroke struct {
	points [][2]float64
	width  float64
}

func (k stroke) contains(x, y float64) bool {
	r := k.width / 2
	for i := 1; i < len(k.points); i++ {
		if segmentDistance(x, y, k.points[i-1], k.points[i]) <= r {
			return true
		}
	}
	return false
}

func segmentDistance(x, y float64, a, b [2]float64) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	t := ((x-a[0])*dx + (y-a[1])*dy) / (dx*dx + dy*dy)
	t = math.Max(0, math.Min(1, t))
	px, py := a[0]+t*dx-x, a[1]+t*dy-y
	return math.Hypot(px, py)
}

// paint renders a size×size image, supersampled 8×8 per pixel for smooth
// edges. layer reports the colour at a point, ok false where it is empty.
func paint(size int, layer func(x, y float64) (color.NRGBA, bool)) *image.NRGBA {
	const ss = 8
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64 // premultiplied sums
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := float64(px) + (float64(sx)+0.5)/ss
					y := float64(py) + (float64(sy)+0.5)/ss
					if c, ok := layer(x, y); ok {
						al := float64(c.A) / 255
						r += float64(c.R) * al
						g += float64(c.G) * al
						b += float64(c.B) * al
						a += al
					}
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(math.Round(r / a)), G: uint8(math.Round(g / a)), B: uint8(math.Round(b / a)),
				A: uint8(math.Round(a / ss / ss * 255)),
			})
		}
	}
	return img
}

var white = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}

// DrawColorIcon draws the 192×192 colour icon. Teams crops it to a rounded
// square, so the symbol stays inside the middle 120 pixels.
func DrawColorIcon() *image.NRGBA {
	const n = ColorIconSize
	sh := shield{cx: n / 2, top: 38, halfWidth: 50, height: 120, shoulder: 0.42, cornerRound: 10}
	check := stroke{points: [][2]float64{{71, 95}, {89, 114}, {123, 77}}, width: 14}
	return paint(n, func(x, y float64) (color.NRGBA, bool) {
		switch {
		case check.contains(x, y):
			return accent, true
		case sh.contains(x, y):
			return white, true
		}
		return accent, true
	})
}

// DrawOutlineIcon draws the 32×32 outline icon: white on transparency, as
// Teams requires.
func DrawOutlineIcon() *image.NRGBA {
	const n = OutlineIconSize
	outer := shield{cx: n / 2, top: 3, halfWidth: 11.5, height: 26, shoulder: 0.42, cornerRound: 2.5}
	inner := outer.inset(2.2)
	check := stroke{points: [][2]float64{{11.2, 15.6}, {14.6, 19.2}, {21, 12.4}}, width: 2.4}
	return paint(n, func(x, y float64) (color.NRGBA, bool) {
		if check.contains(x, y) || (outer.contains(x, y) && !inner.contains(x, y)) {
			return white, true
		}
		return color.NRGBA{}, false
	})
}

// encodePNG encodes img at the best compression.
func encodePNG(img image.Image) []byte {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		panic(err) // writing to memory does not fail
	}
	return buf.Bytes()
}

// CheckColorIcon checks a colour icon: a PNG of 192×192 that is not empty.
func CheckColorIcon(data []byte) error {
	img, err := decodeIcon(data, ColorIconSize)
	if err != nil {
		return fmt.Errorf("colour icon: %w", err)
	}
	if visiblePixels(img) == 0 {
		return errors.New("colour icon: every pixel is transparent")
	}
	return nil
}

// CheckOutlineIcon checks an outline icon: a PNG of 32×32 whose pixels are
// white or transparent (Teams tints it; any other colour is rejected), with
// a transparent background and something drawn.
func CheckOutlineIcon(data []byte) error {
	img, err := decodeIcon(data, OutlineIconSize)
	if err != nil {
		return fmt.Errorf("outline icon: %w", err)
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			if c.A != 0 && (c.R != 0xFF || c.G != 0xFF || c.B != 0xFF) {
				return fmt.Errorf("outline icon: pixel (%d,%d) is #%02X%02X%02X: only white and transparency are allowed", x, y, c.R, c.G, c.B)
			}
		}
	}
	transparent := b.Dx()*b.Dy() - visiblePixels(img)
	switch {
	case visiblePixels(img) == 0:
		return errors.New("outline icon: every pixel is transparent")
	case transparent < b.Dx()*b.Dy()/4:
		return errors.New("outline icon: the background is not transparent")
	}
	return nil
}

func decodeIcon(data []byte, size int) (image.Image, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || format != "png" {
		return nil, errors.New("not a PNG image")
	}
	if cfg.Width != size || cfg.Height != size {
		return nil, fmt.Errorf("is %d×%d pixels; Teams requires %d×%d", cfg.Width, cfg.Height, size, size)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("not a valid PNG: %w", err)
	}
	return img, nil
}

// visiblePixels counts the pixels that are not fully transparent.
func visiblePixels(img image.Image) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if _, _, _, a := img.At(x, y).RGBA(); a != 0 {
				n++
			}
		}
	}
	return n
}
