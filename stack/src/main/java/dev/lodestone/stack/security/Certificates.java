package dev.lodestone.stack.security;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The certificates of a secured local stack, made with Bouncy Castle: a certificate authority of
 * its own and one server certificate signed by it, for the broker's listeners and the schema
 * registry. The server certificate names every address the stack is reached at ({@code localhost},
 * the loopback addresses and the configured host) and serves as the broker's client certificate on
 * its controller listener too. Written as PKCS12 stores: a key store with the server's key and
 * chain, and a trust store with the authority alone, which is all a client needs.
 */
public final class Certificates {
  /** The distinguished name of the server certificate: the broker's principal on its controller. */
  public static final String SERVER_DN = "CN=lodestone-broker";

  private static final String AUTHORITY_DN = "CN=Lodestone local stack CA";
  private static final String SIGNATURE = "SHA256withECDSA";
  private static final Duration VALIDITY = Duration.ofDays(825);

  private Certificates() {}

  /**
   * Makes a fresh authority and server certificate and writes {@code keyStore} and {@code
   * trustStore} (PKCS12, both protected by {@code password}).
   *
   * @param host the configured host the stack listens on (a name or an address)
   */
  public static void write(Path keyStore, Path trustStore, String host, char[] password)
      throws IOException {
    try {
      SecureRandom random = new SecureRandom();
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(256, random);
      KeyPair authority = generator.generateKeyPair();
      KeyPair server = generator.generateKeyPair();
      Instant now = Instant.now();
      X509Certificate authorityCert = authority(authority, now, random);
      X509Certificate serverCert = server(server, authorityCert, authority, host, now, random);

      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry(
          "lodestone-broker",
          server.getPrivate(),
          password,
          new Certificate[] {serverCert, authorityCert});
      store(keys, keyStore, password);

      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("lodestone-ca", authorityCert);
      store(trust, trustStore, password);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot make the local stack's certificates: " + e, e);
    }
  }

  private static X509Certificate authority(KeyPair pair, Instant now, SecureRandom random)
      throws GeneralSecurityException, OperatorCreationException, IOException {
    X500Name name = new X500Name(AUTHORITY_DN);
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            name,
            new BigInteger(64, random),
            Date.from(now.minus(Duration.ofMinutes(5))),
            Date.from(now.plus(VALIDITY)),
            name,
            pair.getPublic());
    JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    builder.addExtension(
        Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    builder.addExtension(
        Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(pair.getPublic()));
    return sign(builder, pair.getPrivate());
  }

  private static X509Certificate server(
      KeyPair pair,
      X509Certificate authorityCert,
      KeyPair authority,
      String host,
      Instant now,
      SecureRandom random)
      throws GeneralSecurityException, OperatorCreationException, IOException {
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            authorityCert,
            new BigInteger(64, random),
            Date.from(now.minus(Duration.ofMinutes(5))),
            Date.from(now.plus(VALIDITY)),
            new X500Name(SERVER_DN),
            pair.getPublic());
    JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    builder.addExtension(
        Extension.keyUsage,
        true,
        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.keyAgreement));
    builder.addExtension(
        Extension.extendedKeyUsage,
        false,
        new ExtendedKeyUsage(
            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    builder.addExtension(
        Extension.authorityKeyIdentifier,
        false,
        utils.createAuthorityKeyIdentifier(authority.getPublic()));
    builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names(host)));
    return sign(builder, authority.getPrivate());
  }

  /** localhost, the loopback addresses, and the host with its addresses. */
  private static GeneralName[] names(String host) {
    Set<String> dns = new LinkedHashSet<>(List.of("localhost"));
    Set<String> ips = new LinkedHashSet<>(List.of("127.0.0.1", "::1"));
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    if (bare.matches("[0-9.]+") || bare.contains(":")) {
      ips.add(bare);
    } else {
      dns.add(bare);
    }
    try {
      InetAddress local = InetAddress.getLocalHost();
      dns.add(local.getHostName());
      dns.add(local.getCanonicalHostName());
    } catch (UnknownHostException e) {
      // this machine's own name does not resolve: the names above remain
    }
    List<GeneralName> names = new ArrayList<>();
    dns.stream()
        .filter(d -> !d.isBlank() && !d.matches("[0-9.]+"))
        .forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
    ips.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
    return names.toArray(new GeneralName[0]);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
      throws OperatorCreationException, GeneralSecurityException {
    ContentSigner signer = new JcaContentSignerBuilder(SIGNATURE).build(key);
    return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
  }

  private static void store(KeyStore store, Path file, char[] password)
      throws IOException, GeneralSecurityException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, password);
    }
  }
}
