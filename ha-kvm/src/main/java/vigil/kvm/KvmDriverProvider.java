package vigil.kvm;

import java.util.List;
import vigil.api.spi.ResourceDriver;
import vigil.api.spi.ResourceDriverProvider;

/** Registers the {@code kvm} resource type with {@link java.util.ServiceLoader}. */
public final class KvmDriverProvider implements ResourceDriverProvider {
    @Override
    public boolean supports(String type) { return KvmDriver.TYPE.equals(type); }

    @Override
    public List<String> types() { return List.of(KvmDriver.TYPE); }

    @Override
    public ResourceDriver create(String type) {
        if (!supports(type)) throw new IllegalArgumentException("the kvm module provides type \"kvm\", not \"" + type + "\"");
        return new KvmDriver();
    }
}
