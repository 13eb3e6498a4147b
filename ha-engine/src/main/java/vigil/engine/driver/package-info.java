/**
 * Finding a resource's driver ({@link vigil.engine.driver.DriverRegistry}) and the driver for an embedding
 * application's own services ({@link vigil.engine.driver.JavaServiceDriver}, types {@code java:<name>}).
 */
package vigil.engine.driver;
