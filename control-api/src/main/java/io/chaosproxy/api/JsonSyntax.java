package io.chaosproxy.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JSON syntax error in our own words: where (line, column), what was found and what was expected. The parser's
 * own messages name its classes and switches ("enable JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS",
 * "StreamReadConstraints.getMaxNestingDepth()"), which mean nothing to a client of this API, so none of its text is
 * passed on except a found character or word, quoted.
 */
final class JsonSyntax {
    private static final Pattern UNEXPECTED_CHAR = Pattern.compile("^Unexpected character \\('(.{1,2})' \\(code");
    private static final Pattern TOKEN = Pattern.compile("^(?:Unrecognized|Non-standard) token '([^']{0,40})");
    private static final String A_VALUE = "a JSON value (object, array, string, number, true, false or null)";

    private JsonSyntax() {
    }

    static String describe(JsonProcessingException e) {
        return what(e) + at(e.getLocation());
    }

    private static String what(JsonProcessingException e) {
        String m = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (e instanceof StreamConstraintsException) {
            return "the JSON is nested too deeply or has a value too long (at most 1000 levels of nesting and 1000"
                    + " digits per number)";
        }
        if (e instanceof JsonEOFException || m.startsWith("Unexpected end-of-input")) {
            return "the JSON ends early: a string, object or array is not closed";
        }
        if (m.contains("NaN") || m.contains("Infinity")) {
            return "NaN and Infinity are not JSON numbers";
        }
        Matcher token = TOKEN.matcher(m);
        if (token.find()) {
            return "unexpected word '" + token.group(1) + "', expected " + A_VALUE;
        }
        Matcher c = UNEXPECTED_CHAR.matcher(m);
        if (c.find()) {
            return "unexpected character '" + c.group(1) + "', expected " + expected(m);
        }
        if (m.contains("Leading zeroes") || m.contains("numeric value") || m.contains("Numeric value")) {
            return "invalid number (JSON numbers have no leading zeros, '+' sign or trailing '.')";
        }
        if (m.contains("Invalid UTF-8") || m.contains("Invalid UTF8")) {
            return "the body is not valid UTF-8";
        }
        if (m.contains("control character") || m.contains("CTRL-CHAR")) {
            return "a control character inside a string must be escaped (e.g. \\n)";
        }
        if (m.contains("escape")) {
            return "invalid escape in a string (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)";
        }
        return "not valid JSON";
    }

    /** What the parser was waiting for, in our words, from the situations it reports. */
    private static String expected(String message) {
        if (message.contains("double-quote to start field name")) {
            return "a field name in double quotes";
        }
        if (message.contains("colon to separate field name")) {
            return "':' after a field name";
        }
        if (message.contains("comma to separate Object entries") || message.contains("close marker for OBJECT")) {
            return "',' or '}'";
        }
        if (message.contains("comma to separate Array entries") || message.contains("close marker for ARRAY")) {
            return "',' or ']'";
        }
        return A_VALUE;
    }

    private static String at(JsonLocation where) {
        if (where == null || where.getLineNr() < 1) {
            return "";
        }
        return " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")";
    }
}
