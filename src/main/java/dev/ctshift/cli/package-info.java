/**
 * The {@code ctshift} command line (picocli): one command class per subcommand, which parses options,
 * builds validated configuration and delegates to a library class; exit codes are mapped in {@link
 * dev.ctshift.cli.Main}.
 */
package dev.ctshift.cli;
