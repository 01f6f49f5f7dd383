package ingest

import (
	"fmt"
	"reflect"
	"time"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/seed-1c4692e8/hotline/events"
)

// Building a batch touches every field of every event, so each payload column gets an
// appender made once at start-up: it reads the field at its offset in the payload struct and
// appends it to the column's Arrow builder, with no reflection per event. Which Go field goes
// to which builder is checked when the appender is made, so a mismatch stops start-up.

// fieldAppender appends the field of the payload at base to the column's builder.
type fieldAppender func(base unsafe.Pointer, b array.Builder)

// valueAppender appends the Go value at ptr to a builder.
type valueAppender func(ptr unsafe.Pointer, b array.Builder)

// newFieldAppender makes the appender of the payload field at path for a column of type t.
func newFieldAppender(payload reflect.Type, path fieldPath, t chType) (fieldAppender, error) {
	f := payload.Field(path.index)
	offset := f.Offset
	if path.millis {
		return millisAppender(f, t)
	}
	if path.subIndex < 0 {
		if t.array {
			if f.Type.Kind() != reflect.Slice {
				return nil, fmt.Errorf("field %s is %s, not a slice for an Array column", f.Name, f.Type)
			}
			return listAppender(offset, f.Type.Elem(), f.Type.Elem(), 0, t)
		}
		app, err := scalarAppender(f.Type, t)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", f.Name, err)
		}
		return func(base unsafe.Pointer, b array.Builder) { app(unsafe.Add(base, offset), b) }, nil
	}
	// One array of a Nested: the sub-field of every element of a slice of structs.
	if !t.array {
		return nil, fmt.Errorf("field %s: a slice of structs needs an Array column", f.Name)
	}
	sub := f.Type.Elem().Field(path.subIndex)
	return listAppender(offset, f.Type.Elem(), sub.Type, sub.Offset, t)
}

// millisAppender appends the millisecond of the second of time field f (0 when it is nil),
// for the column that completes f's DateTime column.
func millisAppender(f reflect.StructField, t chType) (fieldAppender, error) {
	if at, err := arrowType(t.base); err != nil || at.ID() != arrow.INT64 || t.nullable || t.array {
		return nil, fmt.Errorf("field %s: its milliseconds need an integer column (UInt16), not %s", f.Name, t.base)
	}
	offset := f.Offset
	ms := func(tm *time.Time) int64 { return int64(tm.Nanosecond() / int(time.Millisecond)) }
	if f.Type.Kind() == reflect.Pointer {
		return func(base unsafe.Pointer, b array.Builder) {
			var v int64
			if p := *(**time.Time)(unsafe.Add(base, offset)); p != nil {
				v = ms(p)
			}
			b.(*array.Int64Builder).Append(v)
		}, nil
	}
	return func(base unsafe.Pointer, b array.Builder) {
		b.(*array.Int64Builder).Append(ms((*time.Time)(unsafe.Add(base, offset))))
	}, nil
}

// listAppender appends a slice field as one list: of each element (of type elem), the value
// of type value at valueOffset inside it (0 for a slice of plain values).
func listAppender(offset uintptr, elem, value reflect.Type, valueOffset uintptr, t chType) (fieldAppender, error) {
	app, err := scalarAppender(value, chType{base: t.base})
	if err != nil {
		return nil, err
	}
	stride := elem.Size()
	return func(base unsafe.Pointer, b array.Builder) {
		lb := b.(*array.ListBuilder)
		lb.Append(true)
		vb := lb.ValueBuilder()
		s := (*sliceHeader)(unsafe.Add(base, offset))
		for i := range s.len {
			app(unsafe.Add(s.data, uintptr(i)*stride+valueOffset), vb)
		}
	}, nil
}

// sliceHeader is how Go lays out a slice.
type sliceHeader struct {
	data unsafe.Pointer
	len  int
	cap  int
}

// scalarAppender appends a value of Go type rt to the builder of a column whose base type is
// t.base; a pointer appends NULL when nil (the column must be Nullable).
func scalarAppender(rt reflect.Type, t chType) (valueAppender, error) {
	if rt.Kind() == reflect.Pointer {
		if !t.nullable {
			return nil, fmt.Errorf("%s needs a Nullable column, not %s", rt, t.base)
		}
		inner, err := scalarAppender(rt.Elem(), chType{base: t.base})
		if err != nil {
			return nil, err
		}
		return func(ptr unsafe.Pointer, b array.Builder) {
			p := *(*unsafe.Pointer)(ptr)
			if p == nil {
				b.AppendNull()
				return
			}
			inner(p, b)
		}, nil
	}
	at, err := arrowType(t.base)
	if err != nil {
		return nil, err
	}
	mismatch := fmt.Errorf("%s does not fit a %s column", rt, t.base)
	switch at.ID() {
	case arrow.STRING:
		if rt.Kind() != reflect.String {
			return nil, mismatch
		}
		return func(ptr unsafe.Pointer, b array.Builder) { b.(*array.StringBuilder).Append(*(*string)(ptr)) }, nil
	case arrow.FLOAT64:
		if rt.Kind() != reflect.Float64 {
			return nil, mismatch
		}
		return func(ptr unsafe.Pointer, b array.Builder) { b.(*array.Float64Builder).Append(*(*float64)(ptr)) }, nil
	case arrow.TIMESTAMP:
		if rt != reflect.TypeFor[time.Time]() {
			return nil, mismatch
		}
		return func(ptr unsafe.Pointer, b array.Builder) {
			b.(*array.TimestampBuilder).Append(arrow.Timestamp((*time.Time)(ptr).Unix()))
		}, nil
	case arrow.INT64:
		switch rt.Kind() {
		case reflect.Bool:
			return func(ptr unsafe.Pointer, b array.Builder) {
				var v int64
				if *(*bool)(ptr) {
					v = 1
				}
				b.(*array.Int64Builder).Append(v)
			}, nil
		case reflect.Int:
			return func(ptr unsafe.Pointer, b array.Builder) { b.(*array.Int64Builder).Append(int64(*(*int)(ptr))) }, nil
		case reflect.Int64:
			return func(ptr unsafe.Pointer, b array.Builder) { b.(*array.Int64Builder).Append(*(*int64)(ptr)) }, nil
		}
	}
	return nil, mismatch
}

// payloadData is the address of the struct a Payload interface holds. A struct larger than a
// pointer is always stored behind the interface's data word; loadSchemas checks every payload
// type is such a struct.
func payloadData(p events.Payload) unsafe.Pointer {
	return (*[2]unsafe.Pointer)(unsafe.Pointer(&p))[1]
}

// storedIndirectly reports whether values of rt sit behind an interface's data pointer, which
// payloadData relies on.
func storedIndirectly(rt reflect.Type) bool {
	return rt.Kind() == reflect.Struct && rt.Size() > unsafe.Sizeof(uintptr(0))
}
