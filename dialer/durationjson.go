package dialer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"time"
)

// A campaign's JSON (POST /api/campaigns, GET /api/campaigns/{id}) writes and reads every
// duration as a string such as "30s", "4h" or "72h", as the campaign files do: encoding/json
// would write time.Duration as nanoseconds, and a client sending 30 would mean 30 ns. One
// mirror covers every duration field, including any added later: durationMirror rebuilds the
// campaign's type with each time.Duration in it replaced by jsonDuration (JSON tags kept), and
// values are copied across. The Go fields stay time.Duration, and YAML is untouched.

var (
	durationType     = reflect.TypeFor[time.Duration]()
	jsonDurationType = reflect.TypeFor[jsonDuration]()
	marshalerType    = reflect.TypeFor[json.Marshaler]()
	unmarshalerType  = reflect.TypeFor[json.Unmarshaler]()
)

// jsonDuration is a time.Duration in JSON: a string time.ParseDuration reads; a number is an
// error, since no unit would be a guess.
type jsonDuration time.Duration

func (d jsonDuration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

func (d *jsonDuration) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		// The decoder adds the field's path to an UnmarshalTypeError; durationFieldError words it.
		return &json.UnmarshalTypeError{Value: string(b), Type: durationType}
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return &json.UnmarshalTypeError{Value: strconv.Quote(s), Type: durationType}
	}
	*d = jsonDuration(v)
	return nil
}

// MarshalJSON writes the campaign with its durations as strings ("30s").
func (c Campaign) MarshalJSON() ([]byte, error) { return marshalDurations(c) }

// UnmarshalJSON reads a campaign whose durations are strings ("30s"); a bare number is refused,
// naming the field. ParseCampaignJSON also refuses unknown fields.
func (c *Campaign) UnmarshalJSON(b []byte) error { return unmarshalDurations(b, c, false) }

// ParseCampaignJSON is ParseCampaign for a campaign in JSON: durations are strings such as
// "30s", and an unknown field is an error.
func ParseCampaignJSON(name string, data []byte) (Campaign, error) {
	var c Campaign
	if err := unmarshalDurations(data, &c, true); err != nil {
		return Campaign{}, fmt.Errorf("%s: parsing campaign: %w", name, err)
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return Campaign{}, fmt.Errorf("%s: %w", name, err)
	}
	return c, nil
}

func marshalDurations(v any) ([]byte, error) {
	src := reflect.ValueOf(v)
	m := reflect.New(durationMirror(src.Type(), true)).Elem()
	copyMirror(m, src)
	return json.Marshal(m.Interface())
}

// unmarshalDurations decodes data into *v through its mirror; strict refuses unknown fields and
// anything after the value. Fields data leaves out keep v's values, as with json.Unmarshal.
func unmarshalDurations(data []byte, v any, strict bool) error {
	dst := reflect.ValueOf(v).Elem()
	m := reflect.New(durationMirror(dst.Type(), true))
	copyMirror(m.Elem(), dst)
	dec := json.NewDecoder(bytes.NewReader(data))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(m.Interface()); err != nil {
		return durationFieldError(err)
	}
	if _, err := dec.Token(); strict && err != io.EOF {
		return errors.New("more than one JSON value") // or JSON followed by something else
	}
	copyMirror(dst, m.Elem())
	return nil
}

// durationFieldError names the field a value of the wrong type is in, and for a duration says
// how to write one.
func durationFieldError(err error) error {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) || te.Field == "" {
		return err
	}
	if te.Type == durationType {
		return fmt.Errorf("%s: %s is not a duration; give one as a string such as \"30s\", \"4h\" or \"72h\"", te.Field, te.Value)
	}
	return fmt.Errorf("%s: got a JSON %s, want %s", te.Field, te.Value, te.Type)
}

// durationMirror is t with every time.Duration in it (in fields, pointers, slices and maps)
// replaced by jsonDuration. A type holding none, or with JSON methods of its own (time.Time),
// stays as it is, except the top one, whose own methods are the ones calling. Types must not
// refer to themselves.
func durationMirror(t reflect.Type, top bool) reflect.Type {
	if t == durationType {
		return jsonDurationType
	}
	switch t.Kind() {
	case reflect.Pointer:
		if m := durationMirror(t.Elem(), false); m != t.Elem() {
			return reflect.PointerTo(m)
		}
	case reflect.Slice:
		if m := durationMirror(t.Elem(), false); m != t.Elem() {
			return reflect.SliceOf(m)
		}
	case reflect.Map:
		if m := durationMirror(t.Elem(), false); m != t.Elem() {
			return reflect.MapOf(t.Key(), m)
		}
	case reflect.Struct:
		if !top && (t.Implements(marshalerType) || reflect.PointerTo(t).Implements(unmarshalerType)) {
			return t
		}
		changed := top
		fields := make([]reflect.StructField, 0, t.NumField())
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue // JSON never sees it
			}
			if m := durationMirror(f.Type, false); m != f.Type {
				f.Type, changed = m, true
			}
			fields = append(fields, f)
		}
		if changed {
			return reflect.StructOf(fields)
		}
	}
	return t
}

// copyMirror copies src to dst, a type and its durationMirror either way round.
func copyMirror(dst, src reflect.Value) {
	if dst.Type() == src.Type() {
		dst.Set(src)
		return
	}
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			dst.SetZero()
			return
		}
		dst.Set(reflect.New(dst.Type().Elem()))
		copyMirror(dst.Elem(), src.Elem())
	case reflect.Slice:
		if src.IsNil() {
			dst.SetZero()
			return
		}
		dst.Set(reflect.MakeSlice(dst.Type(), src.Len(), src.Len()))
		for i := range src.Len() {
			copyMirror(dst.Index(i), src.Index(i))
		}
	case reflect.Map:
		if src.IsNil() {
			dst.SetZero()
			return
		}
		dst.Set(reflect.MakeMapWithSize(dst.Type(), src.Len()))
		it := src.MapRange()
		for it.Next() {
			v := reflect.New(dst.Type().Elem()).Elem()
			copyMirror(v, it.Value())
			dst.SetMapIndex(it.Key(), v)
		}
	case reflect.Struct:
		// The mirror has the exported fields only, under the same names.
		for i := range dst.NumField() {
			f := dst.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			copyMirror(dst.Field(i), src.FieldByName(f.Name))
		}
	default: // time.Duration and jsonDuration
		dst.Set(src.Convert(dst.Type()))
	}
}
