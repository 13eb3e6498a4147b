/**
 * The OCF resource agent driver (types {@code ocf:<provider>:<agent>}): agents under the OCF root run with the OCF
 * environment, their exit codes become {@link vigil.api.status.OcfCode}s, their meta-data is parsed and cached, and the
 * promotion scores they set through {@code crm_attribute --promotion} / {@code crm_master} are returned with the result.
 */
package vigil.engine.ocf;
