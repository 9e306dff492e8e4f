package io.rackpilot.common.tls;

import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.util.IPAddress;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks and encodes the subject alternative names of a leaf certificate: the identity URI,
 * then DNS names, then IP addresses.
 */
final class SubjectAlternativeNames
{
    private static final Pattern DNS_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

    private SubjectAlternativeNames() {}

    static GeneralNames of(Identity identity, List<String> dnsNames, List<String> ipAddresses)
    {
        List<GeneralName> names = new ArrayList<>();
        names.add(new GeneralName(GeneralName.uniformResourceIdentifier, identity.toUri().toString()));
        for (String dnsName : dnsNames) {
            checkDnsName(dnsName);
            names.add(new GeneralName(GeneralName.dNSName, dnsName));
        }
        for (String ipAddress : ipAddresses) {
            if (ipAddress == null || !IPAddress.isValid(ipAddress)) {
                throw new IllegalArgumentException("invalid IP address '" + ipAddress + "': expected an IPv4 or IPv6 literal such as 10.0.10.5 or ::1");
            }
            names.add(new GeneralName(GeneralName.iPAddress, ipAddress));
        }
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }

    static void checkDnsName(String dnsName)
    {
        if (dnsName == null || dnsName.isEmpty() || dnsName.length() > 253) {
            throw new IllegalArgumentException("invalid DNS name '" + dnsName + "': expected 1 to 253 characters");
        }
        for (String label : dnsName.split("\\.", -1)) {
            if (!DNS_LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException("invalid DNS name '" + dnsName + "': each dot-separated label must be 1 to 63 letters, digits "
                        + "or '-', not starting or ending with '-'");
            }
        }
    }
}
