package io.pulsebase.core.filter;

/**
 * The syntax tree of a filter, as {@link FilterCompiler#parse} returns it: columns are resolved against the
 * table's schema (schema spelling and affinity), and the tree is already normalized the way SQLite would
 * evaluate it:
 *
 * <ul>
 *   <li>a literal compared with a column holds the value the comparison really uses, after SQLite's affinity
 *       rule ({@code age = '30'} on an INTEGER column holds {@code 30L}; {@code name = 5} on a TEXT column holds
 *       {@code "5"}); {@code TRUE}/{@code FALSE} are {@code 1L}/{@code 0L};</li>
 *   <li>a comparison with the literal on the left is turned around ({@code 7 < a} becomes {@code a > 7});</li>
 *   <li>nested {@code AND}s (and nested {@code OR}s) are flattened; {@code BETWEEN} always tests a column
 *       ({@code 5 BETWEEN a AND b} becomes {@code a <= 5 AND b >= 5}).</li>
 * </ul>
 *
 * <p>Rendering the tree as SQL ({@link RowFilter#canonical()}) gives a WHERE clause SQLite evaluates exactly
 * as the compiled filter does.
 */
public sealed interface FilterExpr permits And, Or, Not, Compare, In, Like, IsNull, Between, IsTrue {
}
