package errmap

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
)

// JSONProblem turns an encoding/json decoding error into a sentence a model
// can act on, without Go type names: "brokers is "three", want a number".
func JSONProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		want := "a " + te.Type.Kind().String()
		switch te.Type.Kind() {
		case reflect.Struct, reflect.Map:
			want = "an object"
		case reflect.Slice, reflect.Array:
			want = "a list"
		case reflect.Int, reflect.Int32, reflect.Int64, reflect.Float64:
			want = "a number"
		case reflect.Pointer:
			want = "a " + te.Type.Elem().Kind().String()
		}
		field := te.Field
		if field == "" {
			field = "the value"
		}
		return fmt.Sprintf("%s is %s, want %s", field, te.Value, want)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return "not valid JSON"
	}
	return "could not be read"
}
